/**
 * The SQLite storage keeps the reads every request repeats (actor, messaging settings, recipients) until the change
 * counter of migration 002 moves. These tests use two connections to one SQLite file, as `parley serve` and the CLI
 * (or the dispatcher process) do: a change committed through either is seen at once through the other.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import SQLite from 'better-sqlite3';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { smtpCredentials } from '../../src/domain/parameters/parameters.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { resolveApiToken } from '../../src/domain/users/resolve-api-token.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { deliveriesOf, trackerEndpoint } from '../support/tracker-endpoint.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

describe('the SQLite read cache, with a second connection writing', () => {
  let dir: string;
  let server: SqlStorage; // the connection whose reads are cached
  let other: SqlStorage; // another process's connection (the CLI, say)
  let raw: SQLite.Database; // and a bare one, for changes the storage has no method for
  let world: World;
  const setUser = (id: number, column: 'active' | 'name', value: number | string) =>
    raw.prepare(`update app_user set ${column} = ? where id = ?`).run(value, id);

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cache-'));
    server = openSqliteStorage(join(dir, 'parley.db'));
    await server.migrate();
    other = openSqliteStorage(join(dir, 'parley.db'));
    world = await buildWorld(testDeps(other));
    raw = new SQLite(join(dir, 'parley.db'));
    raw.pragma('busy_timeout = 5000');
  });

  after(async () => {
    await server.close();
    await other.close();
    raw.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('an actor read twice comes from the cache; a deactivation by the other connection applies to the next request', async () => {
    const { token } = await createApiToken(testDeps(other), CLI_ORIGIN, 'tech.a@example.test');
    const viaServer = testDeps(server);
    const first = await resolveApiToken(viaServer, token);
    assert.equal(first?.actor.id, world.techA.id);
    const again = await server.people.findActor({ tokenHash: viaServer.tokens.digest(token) });
    const cachedAgain = await server.people.findActor({ tokenHash: viaServer.tokens.digest(token) });
    assert.equal(again, cachedAgain, 'the same object: served from the cache while nothing changed');

    setUser(world.techA.id, 'active', 0);
    assert.equal(await resolveApiToken(viaServer, token), undefined, 'the deactivated user is refused at once');
    setUser(world.techA.id, 'active', 1);
    assert.equal((await resolveApiToken(viaServer, token))?.actor.id, world.techA.id);
  });

  it("a token revoked, or all of a user's ended, by the other connection is refused at the next request; recording its use keeps the cache", async () => {
    const viaServer = testDeps(server);
    const viaOther = testDeps(other);
    const { token, apiToken } = await createApiToken(viaOther, CLI_ORIGIN, 'tech.b@example.test', 'cached');
    assert.equal((await resolveApiToken(viaServer, token))?.actor.id, world.techB.id);
    const version = () =>
      (raw.prepare('select version from parley_change_counter').get() as { version: number }).version;
    const cached = await server.people.findActor({ tokenHash: viaServer.tokens.digest(token) });
    const counter = version();
    await other.sessions.touchApiToken(
      apiToken.id,
      new Date().toISOString(),
      new Date(Date.now() - 60_000).toISOString(),
    );
    assert.equal(version(), counter, 'a recorded use does not move the change counter');
    assert.equal(
      await server.people.findActor({ tokenHash: viaServer.tokens.digest(token) }),
      cached,
      'still served from the cache',
    );

    assert.equal(await other.sessions.deleteApiToken(world.techB.id, apiToken.id), true);
    assert.equal(await resolveApiToken(viaServer, token), undefined, 'the revoke applies at once');

    const { token: second } = await createApiToken(viaOther, CLI_ORIGIN, 'tech.b@example.test', 'second');
    assert.ok(await resolveApiToken(viaServer, second));
    await other.sessions.deleteApiTokensOfUser(world.techB.id);
    assert.equal(await resolveApiToken(viaServer, second), undefined);
  });

  it('parameter 417 cleared by the other connection makes the next post 409 MESSAGING_UNAVAILABLE, and nothing is stored', async () => {
    const viaServer = testDeps(server);
    await postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text: 'Before.', source: 'desk' });
    const before = (await server.messages.listMessages(world.ticketA.id, true)).length;
    await setParameter(testDeps(other), CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, null);
    await assert.rejects(
      postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text: 'After.', source: 'desk' }),
      (e: unknown) => e instanceof DomainError && e.code === 'MESSAGING_UNAVAILABLE',
    );
    assert.equal((await server.messages.listMessages(world.ticketA.id, true)).length, before);
    await setParameter(testDeps(other), CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, world.templateId);
    await postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text: 'Again.', source: 'desk' });
  });

  it("the SMTP account changed by the other connection is what the dispatcher's next batch reads", async () => {
    const account = async () => (await smtpCredentials(testDeps(server), server))?.from.name;
    const first = await server.settings.getParameters();
    assert.equal(await server.settings.getParameters(), first, 'the same object: served from the cache');
    await setParameter(testDeps(other), CLI_ORIGIN, world.admin, PARAM.SMTP_FROM_NAME, 'Changed Desk');
    assert.equal(await account(), 'Changed Desk');
  });

  it('a recipient renamed by the other connection gets the next mail under the new name', async () => {
    const viaServer = testDeps(server);
    const first = await postMessage(viaServer, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'One.',
      source: 'desk',
    });
    assert.equal(first.notifications[0]!.toName, 'João Muñoz');
    setUser(world.requesterA.id, 'name', 'João M. Muñoz');
    const second = await postMessage(viaServer, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'Two.',
      source: 'desk',
    });
    assert.equal(second.notifications[0]!.toName, 'João M. Muñoz');
  });

  it('a webhook endpoint added by the other connection gets the next message, and none once it is turned off there', async () => {
    const viaServer = testDeps(server);
    const post = (text: string) =>
      postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text, source: 'desk' });
    const endpoints = await server.webhooks.webhookEndpointsFor('message.created');
    assert.equal(endpoints, await server.webhooks.webhookEndpointsFor('message.created'), 'kept: the same object');
    const endpoint = await trackerEndpoint(other);
    const deliveries = () => deliveriesOf(server, endpoint.id);
    await post('Seen by the tracker.');
    assert.equal(await deliveries(), 1);
    raw.prepare('update webhook_endpoint set active = 0 where id = ?').run(endpoint.id);
    await post('Not seen by the tracker.');
    assert.equal(await deliveries(), 1);
  });
});
