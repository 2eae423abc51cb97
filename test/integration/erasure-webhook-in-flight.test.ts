/**
 * An erasure while a webhook dispatcher is posting a batch of deliveries about the person's ticket: the dispatcher hears
 * of it at once (`Storage.onOutboxWithdrawn`: PostgreSQL's NOTIFY, SQLite's in-process signal) and renews its claims,
 * so the deliveries of its batch not posted yet never reach the endpoint, one whose endpoint's address was being
 * looked up included; only those being posted at that moment did. A real `node:http` receiver on 127.0.0.1 holds its
 * answers until the test releases them; SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createServer, type ServerResponse } from 'node:http';
import { describe, it } from 'node:test';
import { HttpWebhookSender } from '../../src/adapters/net/http-webhook-sender.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { WebhookBatchResult } from '../../src/domain/webhooks/dispatch-webhooks.ts';
import type { WebhookSender } from '../../src/ports/webhook-sender.ts';
import { WebhookDispatcher } from '../../src/delivery/workers/webhook-dispatcher.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { DISPATCH_POLICY, scene, SILENT_LOG } from '../support/dispatch-scene.ts';
import { waitUntil } from '../support/smtp-sink.ts';

/** A receiver that holds its answers until `release()`, and answers 200 at once after it. */
async function holdingReceiver() {
  const posted: string[] = [];
  const held: ServerResponse[] = [];
  let released = false;
  const server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      posted.push(body);
      if (released) res.writeHead(200).end('ok');
      else held.push(res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return {
    posted,
    url: `http://127.0.0.1:${(server.address() as { port: number }).port}/hooks`,
    release() {
      released = true;
      for (const res of held.splice(0)) res.writeHead(200).end('ok');
    },
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

for (const database of [sqliteFile, postgres]) {
  describe(`an erasure while a webhook dispatcher posts, on ${database.name}`, () => {
    // threat: An erasure while a webhook dispatcher is posting deliveries about the person
    it('the dispatcher hears it at once: the deliveries it has not posted yet never reach the endpoint', async () => {
      const s = await scene(database);
      const hooks = await holdingReceiver();
      // The dispatcher's storage counts the renewals of its claims, so the test knows when one has answered.
      const renewals = { count: 0 };
      const webhooks = Object.create(s.storage.webhooks) as SqlStorage['webhooks'];
      webhooks.renewWebhookClaims = (token, until) =>
        s.storage.webhooks.renewWebhookClaims(token, until).finally(() => renewals.count++);
      const counted = Object.create(s.storage, { webhooks: { value: webhooks } }) as SqlStorage;
      const batches: WebhookBatchResult[] = [];
      // The third post stands for one whose endpoint's address is being looked up when the erasure comes: it waits
      // until the claims are renewed, then goes on to the real sender (which asks whether it is still wanted).
      const http = new HttpWebhookSender({ timeoutMs: 20_000, userAgent: 'Parley-Test' });
      let lookingUp: (() => void) | undefined;
      const lookedUp = new Promise<void>((done) => (lookingUp = done));
      const calls: { event: string; outcome?: string }[] = [];
      const sender: WebhookSender = {
        async post(request) {
          const call: { event: string; outcome?: string } = { event: request.eventId };
          calls.push(call);
          if (calls.length === 3) await lookedUp;
          return http.post(request).then(
            (reply) => {
              call.outcome = 'posted';
              return reply;
            },
            (error: Error) => {
              call.outcome = error.name;
              throw error;
            },
          );
        },
      };
      // Three posts at a time of a batch of four, and a lease long enough that no renewal comes on its timer during
      // the test.
      const dispatcher = new WebhookDispatcher(
        { ...s.deps, storage: counted, sender },
        { ...DISPATCH_POLICY, concurrency: 3, leaseSeconds: 120 },
        { pollMs: 60_000, log: SILENT_LOG, onBatch: (result) => batches.push(result) },
      );
      try {
        await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
          url: hooks.url,
          description: 'Tracker',
          events: ['message.created'],
          publicOnly: false,
          active: true,
          allowPrivate: true,
        });
        // Internal notes: no mail is queued with them, so what the dispatcher hears is the deliveries' own withdrawal.
        const texts = ['First note.', 'Second note.', 'Third note.', 'Fourth note.'];
        for (const text of texts)
          await postMessage(s.deps, s.world.techA, {
            ticketNumber: s.world.ticketA.number,
            text,
            internal: true,
            source: 'desk',
          });
        const mail = await s.storage.outbox.listOutbox(undefined, { cursor: null, limit: 10 });
        assert.deepEqual(mail.items, [], 'no mail, whose own withdrawal the erasure would announce');

        // The first two deliveries posted, their answers held, the third being looked up: the dispatcher holds all four.
        await dispatcher.start();
        await waitUntil(() => hooks.posted.length === 2 && calls.length === 3, 'two deliveries posted, one looked up');
        const before = renewals.count;
        const requester = s.world.requesterA;
        await eraseRequester(s.deps, CLI_ORIGIN, requester.id, { confirmEmail: requester.email });
        await waitUntil(() => renewals.count > before, 'the dispatcher renewing its claims');
        lookingUp!();
        hooks.release();
        await waitUntil(() => batches.some((b) => b.claimed === 4), 'the batch over');

        assert.equal(hooks.posted.length, 2, 'only the deliveries being posted at the erasure reached the endpoint');
        assert.deepEqual(
          calls.map((c) => c.outcome),
          ['posted', 'posted', 'WebhookWithdrawn'],
          'the one looked up was not posted once its address was checked; the fourth was never tried',
        );
        assert.match(hooks.posted.join('\n'), /First note\.[^]*Second note\.|Second note\.[^]*First note\./);
        assert.equal(batches.find((b) => b.claimed === 4)!.delivered, 0, 'their outcomes found no delivery to record');
        const left = await s.storage.webhooks.listWebhookDeliveries({}, { cursor: null, limit: 10 });
        assert.deepEqual(left.items, [], 'the deliveries about her ticket are gone');
      } finally {
        lookingUp!();
        hooks.release(); // a batch waiting for an answer would keep the dispatcher from stopping
        await dispatcher.stop();
        await hooks.close();
        await s.close();
      }
    });
  });
}
