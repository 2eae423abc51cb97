/**
 * A team's mailbox that signs in with OAuth2 (issue 14), on SQLite and PostgreSQL, against real servers on loopback:
 * an authorization server (oauth2-mock-server) and an SMTP server that takes only SASL XOAUTH2 with a live token of
 * it. The team's mail goes out from its mailbox, signed in with the grant's access token; when the grant is revoked
 * its mail is deferred (never failed) with "connect again" and the provider's reason, and goes out once the mailbox
 * is connected again. A token the SMTP server refuses although it looked live is renewed (one refresh for a whole
 * batch, every mail sent).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { TestClock } from '../support/fixtures.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp, type MailApp } from '../support/mail-app.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { connectMailbox, reconnectMailbox, startOAuthProvider, startXoauth2Sink } from '../support/oauth-provider.ts';

/**
 * Team A's mailbox at the XOAUTH2 sink, connected to the provider as an administrator does it; `post` writes a message
 * as Team A's technician on its ticket.
 */
async function teamAMailbox(
  scene: MailApp,
  provider: { issuer: string },
  sink: { port: number },
): Promise<{ id: number; post(text: string): Promise<{ statusCode: number }> }> {
  const { admin, world } = scene;
  const created = await admin.post('/api/v1/admin/mailboxes', {
    name: 'Team A',
    fromAddress: 'team-a@example.test',
    fromName: 'Team A desk',
    smtpHost: '127.0.0.1',
    smtpPort: sink.port,
    smtpSecurity: 'none',
    smtpAuth: 'oauth2',
    groupIds: [world.groupA],
  });
  assert.equal(created.statusCode, 201, created.body);
  const id = created.json().id as number;
  await connectMailbox(admin, id, provider.issuer, 'team-a@example.test');
  const tech = await scene.signIn(world.techA.email);
  return { id, post: (text) => tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text }) };
}

for (const database of [sqliteMemory, postgres]) {
  describe(`a mailbox signing in with OAuth2 on ${database.name}`, () => {
    it('sends with XOAUTH2, defers while the grant is revoked, and sends again once reconnected', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const provider = await startOAuthProvider();
      const sink = await startXoauth2Sink(provider);
      try {
        const { admin } = scene;
        const { id, post } = await teamAMailbox(scene, provider, sink);
        assert.equal((await post('Sent with OAuth2.')).statusCode, 201);
        const defaultSent = scene.sink.accepted.length;
        await scene.deliver();
        assert.equal(scene.sink.accepted.length, defaultSent, 'not through the default account');
        assert.equal(sink.received.length, 1);
        assert.equal(sink.received[0]!.from?.value[0]?.address, 'team-a@example.test');
        assert.match(sink.received[0]!.text ?? '', /Sent with OAuth2\./);
        assert.deepEqual(sink.logins, [{ user: 'team-a@example.test', accepted: true }]);

        // Revoked at the provider; an hour later the token has to be refreshed and cannot be.
        provider.state.revoked = true;
        (scene.deps.clock as TestClock).advance(3_600_000);
        assert.equal((await post('Waits for the reconnection.')).statusCode, 201);
        await scene.deliver({ failures: true });
        const outbox = (await admin.get('/api/v1/admin/outbox?status=deferred')).json().items;
        const waiting = outbox.find((e: { lastReply: string | null }) => e.lastReply);
        assert.ok(waiting, JSON.stringify(outbox));
        assert.match(waiting.lastReply, /connected again to its provider: invalid_grant: AADSTS50173/);
        assert.equal((await admin.get(`/api/v1/admin/mailboxes/${id}/oauth`)).json().state, 'reconnect_needed');
        assert.equal(sink.received.length, 1, 'nothing sent while revoked');

        // Connected again: the deferred mail goes out at its next try.
        provider.state.revoked = false;
        await reconnectMailbox(admin, id);
        (scene.deps.clock as TestClock).advance(3_600_000);
        await scene.deliver();
        assert.equal(sink.received.length, 2);
        assert.match(sink.received[1]!.text ?? '', /Waits for the reconnection\./);
        assert.equal(sink.logins.at(-1)!.accepted, true);
      } finally {
        await sink.close();
        await provider.stop();
        await scene.close();
      }
    });

    it('renews a token the server refuses although it looked live, once for a whole batch: nothing deferred', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const provider = await startOAuthProvider();
      const sink = await startXoauth2Sink(provider, { idleCloseMs: 150 });
      try {
        const { admin } = scene;
        const { id, post } = await teamAMailbox(scene, provider, sink);
        assert.equal((await post('First, with the token of the connection.')).statusCode, 201);
        await scene.deliver();
        assert.equal(sink.received.length, 1);
        const first = sink.tokens.at(-1)!;

        // The server stops taking that token long before the hour the provider gave it (revoked early, clocks apart).
        sink.refused.add(first);
        (scene.deps.clock as TestClock).advance(120_000); // a token refused is renewed when over a minute old
        await waitUntil(() => sink.openConnections() === 0, 'the server closed the idle connection');
        await new Promise((resolve) => setImmediate(resolve)); // and the pool heard of it
        const refreshes = provider.state.refreshRequests;
        for (const n of [1, 2, 3]) assert.equal((await post(`Batch mail ${n}.`)).statusCode, 201);
        await scene.deliver(); // nothing may fail or be deferred
        assert.equal(sink.received.length, 4, 'every mail of the batch went out');
        assert.equal(provider.state.refreshRequests - refreshes, 1, 'one refresh for the whole batch');
        assert.ok(
          sink.logins.some((l) => !l.accepted),
          'the refused token was tried',
        );
        assert.ok(
          sink.tokens.slice(1).some((t) => t !== first),
          'signed in with a new token',
        );
        assert.equal((await admin.get(`/api/v1/admin/mailboxes/${id}/oauth`)).json().state, 'connected');

        // Refused again, and this time the provider refuses the refresh too (revoked): deferred with its reason.
        sink.refused.add(sink.tokens.at(-1)!);
        provider.state.revoked = true;
        (scene.deps.clock as TestClock).advance(120_000);
        await waitUntil(() => sink.openConnections() === 0, 'the server closed the idle connection');
        await new Promise((resolve) => setImmediate(resolve)); // and the pool heard of it
        assert.equal((await post('After the revocation.')).statusCode, 201);
        await scene.deliver({ failures: true });
        const deferred = (await admin.get('/api/v1/admin/outbox?status=deferred')).json().items;
        assert.equal(deferred.length, 1, JSON.stringify(deferred));
        assert.match(deferred[0].lastReply, /connected again to its provider: invalid_grant: AADSTS50173/);
        assert.equal(deferred[0].lastReplyCode, 'OAUTH_RECONNECT');
      } finally {
        await sink.close();
        await provider.stop();
        await scene.close();
      }
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('keeps no token a server says back, not even the one renewed during that very send', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const provider = await startOAuthProvider();
      const sink = await startXoauth2Sink(provider, { echoTokenOnData: true, idleCloseMs: 150 });
      try {
        const { admin } = scene;
        const { post } = await teamAMailbox(scene, provider, sink);
        assert.equal((await post('Refused with an echo of the first token.')).statusCode, 201);
        await scene.deliver({ failures: true });
        assert.equal(sink.tokens.length, 1);
        // Then that token is refused, so the next send renews it, signs in with the new one, and the server refuses
        // the mail saying that new token back.
        sink.refused.add(sink.tokens[0]!);
        (scene.deps.clock as TestClock).advance(120_000);
        await waitUntil(() => sink.openConnections() === 0, 'the server closed the idle connection');
        await new Promise((resolve) => setImmediate(resolve)); // and the pool heard of it
        assert.equal((await post('Refused with an echo of the renewed token.')).statusCode, 201);
        await scene.deliver({ failures: true });
        const renewed = sink.tokens.at(-1)!;
        assert.ok(provider.state.issued.includes(renewed) && renewed !== sink.tokens[0], 'signed in with a new token');
        const failed = (await admin.get('/api/v1/admin/outbox?status=failed')).json().items;
        assert.equal(failed.length, 2, JSON.stringify(failed));
        for (const entry of failed) assert.match(entry.lastReply, /not today, \[redacted\]/);
        for (const token of sink.tokens) assert.ok(!JSON.stringify(failed).includes(token), 'no token kept');
      } finally {
        await sink.close();
        await provider.stop();
        await scene.close();
      }
    });
  });
}
