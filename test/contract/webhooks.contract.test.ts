/**
 * The storage contract of webhooks, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { AT, newTicket, newUser, queuedMail, useDatabase, whileInsertsFail } from './contract-support.ts';

const LATER = '2026-03-14T15:10:00.000Z';
const LEASE = '2026-03-14T15:10:10.000Z';
const AFTER_LEASE = '2026-03-14T15:10:11.000Z';

const fields = {
  url: 'https://hooks.example.test/parley',
  description: 'Tracker',
  events: ['message.created' as const],
  publicOnly: true,
  active: true,
  allowPrivate: false,
};

for (const database of ALL_DATABASES) {
  describe(`storage contract, webhooks, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('keeps endpoints: created, changed, listed by event, their secret replaced only when given, deleted', async () => {
      const created = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-1', AT);
      assert.deepEqual({ ...created, id: 0 }, { ...fields, id: 0, createdAt: AT, updatedAt: AT });
      const off = await storage.webhooks.createWebhookEndpoint({ ...fields, active: false }, 'sealed-2', AT);
      assert.deepEqual(
        (await storage.webhooks.webhookEndpointsFor('message.created')).map((e) => e.id),
        [created.id],
      );
      const changed = await storage.webhooks.updateWebhookEndpoint(
        created.id,
        { publicOnly: false, allowPrivate: true },
        undefined,
        LATER,
      );
      assert.equal(changed?.publicOnly, false);
      assert.equal(changed?.allowPrivate, true);
      assert.equal(changed?.url, fields.url);
      assert.equal(await storage.webhooks.updateWebhookEndpoint(9999, { active: true }, undefined, LATER), undefined);
      assert.equal(await storage.webhooks.deleteWebhookEndpoint(off.id), true);
      assert.equal(await storage.webhooks.deleteWebhookEndpoint(off.id), false);
      assert.deepEqual(
        (await storage.webhooks.listWebhookEndpoints()).map((e) => e.id),
        [created.id],
      );
    });

    it('queues deliveries in the transaction of their event, claims each for one dispatcher, records attempts', async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-3', AT);
      const delivery = (n: number) => ({
        endpointId: endpoint.id,
        eventId: `evt-contract-${n}`,
        event: 'message.created' as const,
        ticketId: null,
        body: `{"n":${n}}`,
      });
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.webhooks.queueWebhookDeliveries([delivery(0)], AT);
          throw new Error('the event failed');
        }),
        /the event failed/,
      );
      const ids = await storage.transaction((tx) => tx.webhooks.queueWebhookDeliveries([delivery(1), delivery(2)], AT));
      assert.equal(ids.length, 2);
      const page = await storage.webhooks.listWebhookDeliveries(
        { endpointId: endpoint.id },
        { cursor: null, limit: 10 },
      );
      assert.deepEqual(
        page.items.map((d) => d.eventId),
        ['evt-contract-2', 'evt-contract-1'],
      );

      const [first, second] = await Promise.all([
        storage.webhooks.claimWebhookDeliveries({ now: LATER, leaseUntil: LEASE, token: 'a', limit: 10 }),
        storage.webhooks.claimWebhookDeliveries({ now: LATER, leaseUntil: LEASE, token: 'b', limit: 10 }),
      ]);
      const claimed = [...first!, ...second!];
      assert.deepEqual(
        claimed.map((d) => d.id).sort((x, y) => x - y),
        ids,
      );
      assert.equal(claimed[0]!.secretSealed, 'sealed-3');
      assert.equal(claimed[0]!.url, fields.url);
      const token = first!.length > 0 ? 'a' : 'b';
      assert.equal(first!.length === 2 || second!.length === 2, true);
      assert.equal(await storage.webhooks.earliestWebhookClaimExpiry(), LEASE);
      assert.deepEqual((await storage.webhooks.renewWebhookClaims(token, LEASE)).sort(), [...ids].sort());

      // Only the claim's holder records; the other delivery's dispatcher "dies" and its claim is re-queued.
      const done = await storage.webhooks.finishWebhookAttempts(token, [
        {
          id: ids[0]!,
          outcome: {
            status: 'delivered',
            at: LATER,
            reply: 'HTTP 200',
            nextAttemptAt: null,
            httpStatus: 200,
            durationMs: 12,
          },
        },
      ]);
      assert.deepEqual(done, [ids[0]]);
      assert.deepEqual(
        await storage.webhooks.finishWebhookAttempts('someone-else', [
          {
            id: ids[1]!,
            outcome: {
              status: 'delivered',
              at: LATER,
              reply: 'HTTP 200',
              nextAttemptAt: null,
              httpStatus: 200,
              durationMs: 12,
            },
          },
        ]),
        [],
      );
      assert.deepEqual(await storage.webhooks.requeueExpiredWebhookClaims(AFTER_LEASE), [ids[1]]);
      const interrupted = await storage.webhooks.findWebhookDelivery(ids[1]!);
      assert.equal(interrupted?.status, 'deferred');
      assert.deepEqual(
        interrupted?.attempts.map((a) => [a.result, a.httpStatus, a.durationMs]),
        [['interrupted', null, null]],
      );
      const delivered = await storage.webhooks.findWebhookDelivery(ids[0]!);
      assert.equal(delivered?.status, 'delivered');
      assert.equal(delivered?.deliveredAt, LATER);
      assert.deepEqual(
        delivered?.attempts.map((a) => [a.result, a.reply, a.httpStatus, a.durationMs]),
        [['delivered', 'HTTP 200', 200, 12]],
      );

      // "Send again": due now with the same event id; a delivery being sent is not resent.
      const again = await storage.webhooks.resendWebhookDelivery(ids[0]!, AFTER_LEASE);
      assert.equal(again?.status, 'queued');
      assert.equal(again?.eventId, 'evt-contract-1');
      const reclaimed = await storage.webhooks.claimWebhookDeliveries({
        now: AFTER_LEASE,
        leaseUntil: '2026-03-14T15:20:00.000Z',
        token: 'c',
        limit: 10,
      });
      assert.deepEqual(
        reclaimed.map((d) => d.id),
        ids,
      );
      assert.equal(await storage.webhooks.resendWebhookDelivery(ids[0]!, AFTER_LEASE), undefined);

      // An endpoint deleted takes its deliveries with it.
      await storage.webhooks.deleteWebhookEndpoint(endpoint.id);
      assert.equal(await storage.webhooks.findWebhookDelivery(ids[0]!), undefined);
    });

    it('erasure removes the deliveries about a person: of their tickets, their messages, messages quoting their mail, naming their address', async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-5', AT);
      const user = await storage.people.createUser(newUser('erase-hooks@example.test'), AT);
      const theirs = await storage.tickets.createTicket(newTicket(user.id), AT);
      const other = await storage.tickets.createTicket(newTicket(user.id), AT);
      const d = (eventId: string, ticketId: number | null, body: string) => ({
        endpointId: endpoint.id,
        eventId,
        event: 'message.created' as const,
        ticketId,
        body,
      });
      const ids = await storage.webhooks.queueWebhookDeliveries(
        [
          d('evt-e1', theirs.id, '{"data":{}}'),
          d('evt-e2', other.id, `{"data":{"message":{"author":{"id":${user.id},"name":"E"}}}}`),
          d('evt-e3', other.id, `{"data":{"message":{"author":{"id":${user.id}0,"name":"F"}}}}`),
          // Their held mail (no ticket), and a mail to them on a ticket not theirs (the reason names them again).
          d('evt-e4', null, '{"data":{"inboundMail":{"ticketId":null,"from":"Old.Address@Example.test"}}}'),
          d(
            'evt-e5',
            other.id,
            '{"data":{"mail":{"to":"old.address@example.test","reason":"550 <old.address@example.test>."}}}',
          ),
          // Someone else's: a longer address that contains theirs, one that `_` (a wildcard of `like`) matches.
          d('evt-e6', null, '{"data":{"inboundMail":{"from":"bold.address@example.test.org"}}}'),
          d('evt-e7', other.id, '{"data":{"mail":{"to":"x-y@example.test"}}}'),
          // A reviewer's message quoting their mail, and another message whose id begins with its id.
          d('evt-e8', other.id, '{"data":{"message":{"id":4417,"internal":false,"author":{"id":1}}}}'),
          d('evt-e9', other.id, '{"data":{"message":{"id":44170,"internal":false,"author":{"id":1}}}}'),
        ],
        AT,
      );
      const erase = (ticketIds: number[]) =>
        storage.webhooks.eraseWebhookDeliveriesOf({
          ticketIds,
          authorId: user.id,
          addresses: ['erase-hooks@example.test', 'old.address@example.test', 'x_y@example.test'],
          messageIds: [4417],
        });
      assert.equal(await erase([theirs.id]), 5);
      for (const i of [0, 1, 3, 4, 7]) assert.equal(await storage.webhooks.findWebhookDelivery(ids[i]!), undefined);
      for (const i of [2, 5, 6, 8])
        assert.ok(await storage.webhooks.findWebhookDelivery(ids[i]!), `evt-e${i + 1} stays`);
      assert.equal(await erase([]), 0);
    });

    it('re-queues an expired claim together with its attempt: when the attempt cannot be written, the claim stays as it was', async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-atomic', AT);
      try {
        const [id] = await storage.webhooks.queueWebhookDeliveries(
          [{ endpointId: endpoint.id, eventId: 'evt-atomic', event: 'message.created', ticketId: null, body: '{}' }],
          AT,
        );
        const claimed = await storage.webhooks.claimWebhookDeliveries({
          now: LATER,
          leaseUntil: LEASE,
          token: 'atomic',
          limit: 100,
        });
        // Every delivery due (those earlier tests left too), claimed under one lease.
        assert.ok(claimed.some((d) => d.id === id));
        // The attempt's insert fails.
        await whileInsertsFail(storage, database, 'webhook_attempt', () =>
          assert.rejects(storage.webhooks.requeueExpiredWebhookClaims(AFTER_LEASE), /no attempt written/),
        );
        const states = async () =>
          Promise.all(claimed.map(async (d) => (await storage.webhooks.findWebhookDelivery(d.id))!));
        assert.ok(
          (await states()).every((d) => d.status === 'sending' && !d.attempts.some((a) => a.at === AFTER_LEASE)),
          'none re-queued without its attempt',
        );
        assert.deepEqual(
          (await storage.webhooks.requeueExpiredWebhookClaims(AFTER_LEASE)).sort((x, y) => x - y),
          claimed.map((d) => d.id),
        );
        assert.deepEqual(
          (await states()).map((d) => [d.status, d.attempts.at(-1)?.result, d.attempts.at(-1)?.at]),
          claimed.map(() => ['deferred', 'interrupted', AFTER_LEASE]),
        );
      } finally {
        await storage.webhooks.deleteWebhookEndpoint(endpoint.id);
      }
    });

    it('claims only the deliveries named, when named, though others are due before them', async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-named', AT);
      const ids = await storage.webhooks.queueWebhookDeliveries(
        [1, 2, 3].map((n) => ({
          endpointId: endpoint.id,
          eventId: `evt-named-${n}`,
          event: 'message.created' as const,
          ticketId: null,
          body: '{}',
        })),
        AT,
      );
      const claim = (named: number[]) =>
        storage.webhooks.claimWebhookDeliveries({
          now: LATER,
          leaseUntil: LEASE,
          token: 'named',
          limit: 10,
          ids: named,
        });
      try {
        assert.deepEqual(await claim([]), []);
        assert.deepEqual(
          (await claim([ids[2]!])).map((d) => d.id),
          [ids[2]],
        );
        assert.deepEqual(await claim([ids[2]!]), [], 'claimed already');
        const rest = await storage.webhooks.claimWebhookDeliveries({
          now: LATER,
          leaseUntil: LEASE,
          token: 'rest',
          limit: 100,
        });
        assert.ok(ids.slice(0, 2).every((id) => rest.some((d) => d.id === id)));
        assert.ok(!rest.some((d) => d.id === ids[2]));
      } finally {
        await storage.webhooks.deleteWebhookEndpoint(endpoint.id);
      }
    });

    it('refuses a second delivery with the same event id', async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-4', AT);
      const d = {
        endpointId: endpoint.id,
        eventId: 'evt-dup',
        event: 'message.created' as const,
        ticketId: null,
        body: '{}',
      };
      await storage.webhooks.queueWebhookDeliveries([d], AT);
      await assert.rejects(storage.webhooks.queueWebhookDeliveries([d], AT));
    });

    it('leaves out the deliveries of an endpoint deleted since it was read, and queues the others', async () => {
      const kept = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-5', AT);
      const gone = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-6', AT);
      await storage.webhooks.deleteWebhookEndpoint(gone.id);
      const d = (endpointId: number, eventId: string) => ({
        endpointId,
        eventId,
        event: 'message.created' as const,
        ticketId: null,
        body: '{}',
      });
      const ids = await storage.transaction((tx) =>
        tx.webhooks.queueWebhookDeliveries([d(gone.id, 'evt-gone'), d(kept.id, 'evt-kept')], AT),
      );
      assert.equal(ids.length, 1);
      assert.equal((await storage.webhooks.findWebhookDelivery(ids[0]!))?.eventId, 'evt-kept');
      assert.deepEqual(await storage.webhooks.queueWebhookDeliveries([d(gone.id, 'evt-gone-2')], AT), []);
    });
    it("wakes the webhooks' dispatchers when deliveries are queued or resent, and the outbox's only for mail", async () => {
      const endpoint = await storage.webhooks.createWebhookEndpoint(fields, 'sealed-7', AT);
      const user = await storage.people.createUser(newUser('signals@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      // PostgreSQL: the earlier tests' signals, gathered for a few ms after their commits, sent before anyone listens
      // here (a listener hears only what commits after its LISTEN); else one could be heard as this test's.
      await storage.flushSignals();
      const heard = { outbox: 0, webhooks: 0 };
      const stops = [
        await storage.onOutboxSignal(() => heard.outbox++),
        await storage.onWebhookSignal(() => heard.webhooks++),
      ];
      try {
        // PostgreSQL: each listener heard the '' of its subscription; notices then arrive in commit order, so once
        // a signal is heard, any signal an earlier write sent on the other channel has been heard too.
        const before = { ...heard };
        const [id] = await storage.transaction((tx) =>
          tx.webhooks.queueWebhookDeliveries(
            [{ endpointId: endpoint.id, eventId: 'evt-signal', event: 'message.created', ticketId: null, body: '{}' }],
            AT,
          ),
        );
        await waitUntil(() => heard.webhooks > before.webhooks, 'the webhook signal of a queued delivery');
        const to = { ticketId: ticket.id, recipientId: user.id, toAddress: 'signals@example.test' };
        const queueMail = (n: number) => storage.outbox.queueMails([queuedMail(to, 'signals', n)], AT);
        await queueMail(1);
        await waitUntil(() => heard.outbox > before.outbox, 'the outbox signal of a queued mail');
        assert.deepEqual(heard, { outbox: before.outbox + 1, webhooks: before.webhooks + 1 });
        assert.ok(await storage.webhooks.resendWebhookDelivery(id!, LATER));
        await waitUntil(() => heard.webhooks > before.webhooks + 1, 'the webhook signal of a resent delivery');
        await storage.outbox.queueMails([], AT); // nothing queued: no signal
        // A signal on the other channel, heard after anything the empty call could have sent.
        assert.ok(await storage.webhooks.resendWebhookDelivery(id!, LATER));
        await waitUntil(() => heard.webhooks > before.webhooks + 2, 'the webhook signal of a second resend');
        assert.deepEqual(heard, { outbox: before.outbox + 1, webhooks: before.webhooks + 3 });
      } finally {
        for (const stop of stops) await stop();
      }
    });
  });
}
