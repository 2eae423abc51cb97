/**
 * The PostgreSQL storage keeps the reads every request repeats (actor, messaging settings, recipients) until it hears
 * `NOTIFY parley_cache` (migration 029), or at once after its own writes. Two storages on one database, as two
 * instances (or `serve` and the CLI) are; the cache's age limit is made long here, so only notices can empty it. A
 * change by the other storage is awaited (its notice arrives after its commit); an own change is not.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { WATCHED_TABLES } from '../../src/adapters/storage/postgres/cache-notices.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { smtpCredentials } from '../../src/domain/parameters/parameters.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { resolveApiToken } from '../../src/domain/users/resolve-api-token.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { deliveriesOf, trackerEndpoint } from '../support/tracker-endpoint.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const HOUR = 3_600_000;

describe('the PostgreSQL read cache, with a second storage writing', () => {
  let db: Awaited<ReturnType<typeof createPostgresDatabase>>;
  let server: SqlStorage; // the storage whose reads are cached
  let other: SqlStorage; // another process's (an instance, the CLI)
  let world: World;
  const setUser = (storage: SqlStorage, id: number, active: boolean) =>
    sql`update app_user set active = ${active} where id = ${id}`.execute(storage.kyselyInstance);
  /** The actor behind a token, read until two reads give the same object (the cache is listening and keeps it). */
  const cachedActor = async (tokenHash: string) =>
    waitUntil(async () => {
      const first = await server.people.findActor({ tokenHash });
      return first && first === (await server.people.findActor({ tokenHash })) ? first : undefined;
    }, 'the actor served from the cache');

  before(async () => {
    db = await createPostgresDatabase();
    server = openPostgresStorage(db.url, { max: 4, cacheMaxAgeMs: HOUR });
    other = openPostgresStorage(db.url, { max: 4, cacheMaxAgeMs: HOUR });
    await other.migrate();
    world = await buildWorld(testDeps(other));
  });

  after(async () => {
    await server.close();
    await other.close();
    await db.drop();
  });

  it("watches, for this process's own writes, exactly the tables whose triggers send the notice", async () => {
    const { rows } = await sql<{ table: string }>`select distinct event_object_table as table
      from information_schema.triggers where action_statement like '%parley_cache_notice%'`.execute(
      server.kyselyInstance,
    );
    assert.deepEqual(rows.map((r) => r.table).sort(), [...WATCHED_TABLES].sort());
  });

  it('an actor read twice comes from the cache; a deactivation by the other storage applies once its notice arrives, one by this storage at once', async () => {
    const { token } = await createApiToken(testDeps(other), CLI_ORIGIN, 'tech.a@example.test');
    const viaServer = testDeps(server);
    const hash = viaServer.tokens.digest(token);
    assert.equal((await cachedActor(hash)).user.id, world.techA.id);

    await setUser(other, world.techA.id, false);
    await waitUntil(
      async () => (await resolveApiToken(viaServer, token)) === undefined,
      'the deactivated user refused after the notice',
    );
    await setUser(other, world.techA.id, true);
    await waitUntil(async () => (await resolveApiToken(viaServer, token)) !== undefined, 'the user allowed again');

    await cachedActor(hash);
    await setUser(server, world.techA.id, false);
    assert.equal(await resolveApiToken(viaServer, token), undefined, 'an own write empties the cache at once');
    await setUser(server, world.techA.id, true);
    assert.equal((await resolveApiToken(viaServer, token))?.actor.id, world.techA.id);
  });

  it("a token's recorded use sends no notice; its revoke does", async () => {
    const viaServer = testDeps(server);
    const { token, apiToken } = await createApiToken(testDeps(other), CLI_ORIGIN, 'tech.b@example.test', 'cached');
    await cachedActor(viaServer.tokens.digest(token));
    // Notices are delivered in commit order: once a probe sent after the touch arrives, any notice of it has too.
    const listener = new pg.Client({ connectionString: db.url });
    await listener.connect();
    try {
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.channel));
      await listener.query('LISTEN parley_cache');
      await listener.query('LISTEN parley_probe');
      await other.sessions.touchApiToken(apiToken.id, new Date().toISOString(), new Date(0).toISOString());
      await sql`select pg_notify('parley_probe', '')`.execute(other.kyselyInstance);
      await waitUntil(() => heard.includes('parley_probe'), 'the probe');
      assert.deepEqual(heard, ['parley_probe'], 'no parley_cache notice for a recorded use');

      assert.equal(await other.sessions.deleteApiToken(world.techB.id, apiToken.id), true);
      await waitUntil(() => heard.includes('parley_cache'), 'the notice of the revoke');
      await waitUntil(async () => (await resolveApiToken(viaServer, token)) === undefined, 'the revoke applied');
    } finally {
      await listener.end();
    }
  });

  it('parameter 417 cleared by this storage makes the next post 409 MESSAGING_UNAVAILABLE at once; set again by the other storage, posts work once its notice arrives', async () => {
    const viaServer = testDeps(server);
    const post = (text: string) =>
      postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text, source: 'desk' });
    await post('Before.');
    await post('Before, from the cache.');
    const before = (await server.messages.listMessages(world.ticketA.id, true)).length;
    await setParameter(viaServer, CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, null);
    await assert.rejects(
      post('After.'),
      (e: unknown) => e instanceof DomainError && e.code === 'MESSAGING_UNAVAILABLE',
    );
    assert.equal((await server.messages.listMessages(world.ticketA.id, true)).length, before, 'nothing stored');
    await setParameter(testDeps(other), CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, world.templateId);
    await waitUntil(
      () =>
        post('Again.').then(
          () => true,
          () => false,
        ),
      'a post after the other storage set 417 again',
    );
  });

  it("the SMTP account changed by the other storage is what the dispatcher's next batch reads once its notice arrives", async () => {
    const account = async () => (await smtpCredentials(testDeps(server), server))?.from.name;
    await waitUntil(async () => {
      const first = await server.settings.getParameters();
      return first === (await server.settings.getParameters());
    }, 'the parameters served from the cache');
    await setParameter(testDeps(other), CLI_ORIGIN, world.admin, PARAM.SMTP_FROM_NAME, 'Changed Desk');
    await waitUntil(async () => (await account()) === 'Changed Desk', 'the new name read');
  });

  it('while its listening connection is down nothing is kept, and a change made then is seen once it is back', async () => {
    const { token } = await createApiToken(testDeps(other), CLI_ORIGIN, 'tech.a@example.test', 'outage');
    const viaServer = testDeps(server);
    const hash = viaServer.tokens.digest(token);
    await cachedActor(hash);
    const listening = async () =>
      (
        await sql<{ pid: number }>`select pid from pg_stat_activity
          where datname = current_database() and query like 'LISTEN %'`.execute(other.kyselyInstance)
      ).rows;
    assert.equal((await listening()).length, 2, "each storage's cache listens on a connection of its own");
    for (const { pid } of await listening())
      await sql`select pg_terminate_backend(${pid})`.execute(other.kyselyInstance);
    await waitUntil(async () => {
      const a = await server.people.findActor({ tokenHash: hash });
      return a !== (await server.people.findActor({ tokenHash: hash }));
    }, 'reads not kept while the connection is down');
    await setUser(other, world.techA.id, false);
    assert.equal(await resolveApiToken(viaServer, token), undefined, 'the change is read, not a kept value');
    await setUser(other, world.techA.id, true);
    await waitUntil(async () => (await listening()).length === 2, 'the listening connections re-opened');
    assert.equal((await cachedActor(hash)).user.id, world.techA.id);
  });

  it('a webhook endpoint added by the other storage gets the messages posted once its notice arrives; one turned off by this storage gets none at once', async () => {
    const viaServer = testDeps(server);
    const post = (text: string) =>
      postMessage(viaServer, world.techA, { ticketNumber: world.ticketA.number, text, source: 'desk' });
    await waitUntil(async () => {
      const first = await server.webhooks.webhookEndpointsFor('message.created');
      return first === (await server.webhooks.webhookEndpointsFor('message.created'));
    }, 'the endpoints served from the cache');
    const endpoint = await trackerEndpoint(other);
    const deliveries = () => deliveriesOf(server, endpoint.id);
    await waitUntil(
      async () => (await server.webhooks.webhookEndpointsFor('message.created')).some((e) => e.id === endpoint.id),
      'the new endpoint seen after the notice',
    );
    await post('Seen by the tracker.');
    assert.equal(await deliveries(), 1);
    await sql`update webhook_endpoint set active = false where id = ${endpoint.id}`.execute(server.kyselyInstance);
    await post('Not seen by the tracker.');
    assert.equal(await deliveries(), 1, 'an own write empties the cache at once');
  });
});
