/**
 * An OAuth2 provider that takes the token request and never answers (issue 13's audit): a real HTTP endpoint on
 * loopback that reads the refresh request and leaves it open. One dispatcher batch holds mail of two mailboxes: a
 * team's that signs in with a password, at a real SMTP server, and one whose access token is due for a refresh at
 * that provider. The password mailbox's mail goes out while the refresh still waits; the refresh is given up after
 * the client's timeout (shortened here), and the OAuth2 mailbox's mail is deferred with the reason, its grant left
 * connected and its refresh lease released.
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { Oauth4webapiClient } from '../../src/adapters/oauth/oauth4webapi-client.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { cleanOAuthSettings } from '../../src/domain/mailboxes/oauth/mailbox-oauth.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { DISPATCH_POLICY } from '../support/dispatch-scene.ts';
import { buildWorld, TestClock, testDeps } from '../support/fixtures.ts';
import { SmtpSink, waitUntil } from '../support/smtp-sink.ts';

/** How long the token request may take in this test (10 s in production). */
const TOKEN_TIMEOUT_MS = 2000;

/** A token endpoint that reads each request and never answers; `open`: the requests still waiting for an answer. */
async function startStalledTokenEndpoint() {
  const state = { requests: 0, open: 0 };
  const server = createServer((req, res) => {
    state.requests++;
    state.open++;
    res.on('close', () => state.open--); // the client gave up (or the server closed)
    req.resume();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    state,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

for (const database of [sqliteMemory, postgres]) {
  describe(`a token endpoint that never answers, on ${database.name}`, () => {
    it("holds back only its own mailbox's mail, which is deferred with the reason once the request is given up", async () => {
      const db = await database.open();
      const sink = await SmtpSink.start();
      const provider = await startStalledTokenEndpoint();
      const transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 5000,
      });
      let batch: Promise<unknown> | undefined;
      try {
        const clock = new TestClock();
        const deps = { ...testDeps(db.storage, clock), oauth: new Oauth4webapiClient({ timeoutMs: TOKEN_TIMEOUT_MS }) };
        const world = await buildWorld(deps);
        // Team B sends with a password, at the sink; team A with OAuth2, its token under the refresh margin.
        sink.requireAuth({ user: 'team-b', pass: 'team-b-password' });
        const teamB = await createMailbox(deps, CLI_ORIGIN, {
          name: 'Team B',
          fromAddress: 'team-b@example.test',
          smtpHost: '127.0.0.1',
          smtpPort: sink.port,
          smtpSecurity: 'none',
          smtpAuth: 'password',
          smtpUser: 'team-b',
          password: 'team-b-password',
          groupIds: [world.groupB],
        });
        const teamA = await createMailbox(deps, CLI_ORIGIN, {
          name: 'Team A',
          fromAddress: 'team-a@example.test',
          smtpHost: '127.0.0.1',
          smtpPort: sink.port,
          smtpSecurity: 'none',
          smtpAuth: 'oauth2',
          groupIds: [world.groupA],
        });
        const at = clock.now().toISOString();
        await db.storage.mailboxOAuth.saveSettings(
          teamA.id,
          cleanOAuthSettings({
            provider: 'custom',
            clientId: 'parley-test',
            authorizeUrl: `${provider.url}/authorize`,
            tokenUrl: `${provider.url}/token`,
            scopes: 'mail.send offline_access',
            login: 'team-a@example.test',
          }),
          null,
          at,
        );
        await db.storage.mailboxOAuth.storeGrant(
          teamA.id,
          {
            refreshSealed: deps.secrets.seal('refresh-token-of-the-grant'),
            accessSealed: deps.secrets.seal('an-access-token-of-the-grant'),
            accessExpiresAt: new Date(clock.now().getTime() + 60_000).toISOString(), // under the refresh margin
          },
          at,
          (await db.storage.mailboxOAuth.findGrant(teamA.id))!.refreshes,
        );

        // Team A's mail first in the batch, then team B's.
        for (const [tech, ticket, text] of [
          [world.techA, world.ticketA, 'From team A.'],
          [world.techB, world.ticketB, 'From team B.'],
        ] as const)
          await postMessage(deps, tech, { ticketNumber: ticket.number, text, source: 'desk' });
        const queued = await db.storage.kyselyInstance
          .selectFrom('outbox_entry')
          .select(['id', 'mailbox_id', 'message_id_header'])
          .execute();
        const ofA = queued.filter((e) => e.mailbox_id === teamA.id);
        const ofB = queued.filter((e) => e.mailbox_id === teamB.id);
        assert.ok(ofA.length > 0 && ofB.length > 0, JSON.stringify(queued));
        assert.equal(ofA.length + ofB.length, queued.length);

        const started = performance.now();
        const dispatching = dispatchBatch({ ...deps, transports, random: () => 0.5 }, DISPATCH_POLICY);
        batch = dispatching.catch(() => {}); // awaited below; a failure meanwhile is not left unhandled
        await waitUntil(() => provider.state.open === 1, 'the refresh asked of the provider', TOKEN_TIMEOUT_MS);
        // Team B's mail reaches its server while the refresh still waits for an answer.
        await waitUntil(
          () => ofB.every((e) => sink.acceptedCount(e.message_id_header) === 1),
          "team B's mail at its server",
          TOKEN_TIMEOUT_MS,
        );
        assert.equal(provider.state.open, 1, "team B's mail did not wait for the refresh");
        assert.ok(performance.now() - started < TOKEN_TIMEOUT_MS, 'before the refresh was given up');

        // The refresh is given up after the client's timeout; team A's mail is deferred with the reason, not lost.
        let deadline: NodeJS.Timeout | undefined;
        const result = await Promise.race([
          dispatching,
          new Promise<never>((_, fail) => {
            deadline = setTimeout(
              () => fail(new Error('the batch still waits for the refresh')),
              TOKEN_TIMEOUT_MS + 3000,
            );
          }),
        ]).finally(() => clearTimeout(deadline));
        const took = performance.now() - started;
        assert.ok(took >= TOKEN_TIMEOUT_MS - 50 && took < TOKEN_TIMEOUT_MS + 3000, `the batch took ${took} ms`);
        assert.deepEqual(result, {
          claimed: queued.length,
          sent: ofB.length,
          deferred: ofA.length,
          failed: 0,
          requeued: 0,
        });
        assert.equal(provider.state.requests, 1, 'one refresh asked');
        await waitUntil(() => provider.state.open === 0, 'the provider to see the request given up', 1000);
        for (const e of ofA) {
          const entry = (await db.storage.outbox.findOutboxEntry(e.id))!;
          assert.equal(entry.status, 'deferred');
          assert.ok(entry.nextAttemptAt, 'tried again later');
          assert.equal(
            entry.lastReply,
            `Mailbox ${teamA.id} could not get an access token from its provider now (the token endpoint did not ` +
              `answer within ${TOKEN_TIMEOUT_MS / 1000} s); it is tried again.`,
          );
          assert.equal(sink.receivedCount(e.message_id_header), 0);
        }
        const grant = (await db.storage.mailboxOAuth.findGrant(teamA.id))!;
        assert.deepEqual(
          [grant.state, grant.refreshingUntil],
          ['connected', null],
          'left connected, its lease released',
        );
      } finally {
        await provider.close(); // a request still open fails, and the batch ends
        await batch;
        transports.closeAll();
        await sink.close();
        await db.storage.close();
        await db.drop();
      }
    });
  });
}
