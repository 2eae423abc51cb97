/**
 * The storage contract of outbox, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { AT, newUser, newTicket, queuedMail, useDatabase, whileInsertsFail } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, outbox, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('queues mails tied to no message, in a transaction or alone, and wakes the dispatchers once committed', async () => {
      const user = await storage.people.createUser(newUser('event@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const to = { ticketId: ticket.id, recipientId: user.id, toAddress: 'event@example.test' };
      const mail = (n: number) => queuedMail(to, 'event', n, { threadId: '<parley.ticket.1@x.test>' });
      let woken = 0;
      const stop = await storage.onOutboxSignal(() => woken++);
      try {
        assert.deepEqual(await storage.outbox.queueMails([], AT), []);
        const alone = await storage.outbox.queueMails([mail(1), mail(2)], AT);
        assert.equal(alone.length, 2);
        // Rolled back with the transaction it was queued in: nothing is left.
        await assert.rejects(
          storage.transaction(async (tx) => {
            await tx.outbox.queueMails([mail(3)], AT);
            throw new Error('the event failed');
          }),
          /the event failed/,
        );
        const inTx = await storage.transaction((tx) => tx.outbox.queueMails([mail(4)], AT));
        const entries = await Promise.all([...alone, ...inTx].map((id) => storage.outbox.findOutboxEntry(id)));
        assert.deepEqual(
          entries.map((e) => [e?.subject, e?.messageId, e?.status, e?.ticketId, e?.attemptCount]),
          [1, 2, 4].map((n) => [`event ${n}`, null, 'queued', ticket.id, 0]),
        );
        assert.deepEqual(await storage.outbox.outboxByMessageIds(['<parley.event.3@x.test>']), []);
        await waitUntil(() => woken > 0, 'the outbox signal');
      } finally {
        await stop();
      }
    });

    it('finds notifications by Message-ID and records a bounce as a failed attempt', async () => {
      const user = await storage.people.createUser(newUser('bounce@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const stored = await storage.atomic.storeMessage(
        {
          ticketId: ticket.id,
          authorId: user.id,
          text: 'x',
          internal: false,
          sendEmail: true,
          source: 'portal',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: AT,
        },
        [
          {
            ticketId: ticket.id,
            recipientId: user.id,
            toAddress: 'bounce@example.test',
            toName: 'B',
            subject: 's',
            html: 'h',
            text: 't',
            messageIdHeader: '<parley.bounce.1@x.test>',
            threadId: null,
            replyTo: null,
          },
        ],
      );
      const [ref] = await storage.outbox.outboxByMessageIds(['<parley.bounce.1@x.test>', '<other@x.test>']);
      assert.deepEqual(ref, {
        id: stored.outboxIds[0],
        ticketId: ticket.id,
        recipientId: user.id,
        messageIdHeader: '<parley.bounce.1@x.test>',
        status: 'queued',
        erased: false,
        ccErased: false,
      });
      assert.deepEqual(await storage.outbox.outboxByMessageIds([]), []);
      const ok = await storage.transaction((tx) =>
        tx.outbox.recordOutboxBounce(stored.outboxIds[0]!, '2026-03-14T16:00:00.000Z', 'status 5.1.1; User unknown'),
      );
      assert.equal(ok, true);
      const entry = (await storage.outbox.findOutboxEntry(stored.outboxIds[0]!))!;
      assert.deepEqual(
        [entry.status, entry.lastReply, entry.nextAttemptAt],
        ['failed', 'status 5.1.1; User unknown', null],
      );
      assert.deepEqual(entry.attempts.at(-1), {
        at: '2026-03-14T16:00:00.000Z',
        result: 'bounced',
        reply: 'status 5.1.1; User unknown',
      });
      assert.equal(await storage.transaction((tx) => tx.outbox.recordOutboxBounce(987_654, AT, 'x')), false);
      // An entry an erasure emptied says so, and refuses a later bounce.
      await storage.kyselyInstance
        .updateTable('outbox_entry')
        .set({ erased_at: AT })
        .where('id', '=', stored.outboxIds[0]!)
        .execute();
      const [erased] = await storage.outbox.outboxByMessageIds(['<parley.bounce.1@x.test>']);
      assert.equal(erased?.erased, true);
      assert.equal(
        await storage.transaction((tx) => tx.outbox.recordOutboxBounce(stored.outboxIds[0]!, AT, 'again')),
        false,
      );
    });

    it('names when the first claim still held ends, follows renewals, and forgets claims once re-queued', async () => {
      const user = await storage.people.createUser(newUser('lease@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const mail = (n: number) => ({
        ticketId: ticket.id,
        recipientId: user.id,
        toAddress: 'lease@example.test',
        toName: 'L',
        subject: 's',
        html: 'h',
        text: 't',
        messageIdHeader: `<parley.lease.${n}@x.test>`,
        threadId: null,
        replyTo: null,
      });
      await storage.atomic.storeMessage(
        {
          ticketId: ticket.id,
          authorId: user.id,
          text: 'x',
          internal: false,
          sendEmail: true,
          source: 'portal',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: AT,
        },
        [mail(1), mail(2), mail(3)],
      );
      // Claims left by the first test (its entry failed) are none: nothing is held yet.
      assert.equal(await storage.outbox.earliestClaimExpiry(), null);
      const later = '2026-03-14T15:09:46.123Z';
      const sooner = '2026-03-14T15:09:36.123Z';
      const a = await storage.outbox.claimOutbox({ now: AT, leaseUntil: later, token: 'a', limit: 1 });
      const b = await storage.outbox.claimOutbox({ now: AT, leaseUntil: sooner, token: 'b', limit: 1 });
      assert.equal(a.length + b.length, 2);
      assert.equal(await storage.outbox.earliestClaimExpiry(), sooner);
      assert.deepEqual(await storage.outbox.renewClaims('b', '2026-03-14T15:09:56.123Z'), [b[0]!.id]);
      assert.equal(await storage.outbox.earliestClaimExpiry(), later, 'the renewed claim now ends after the other');
      assert.deepEqual(await storage.outbox.requeueExpiredClaims('2026-03-14T15:09:50.000Z'), [a[0]!.id]);
      assert.equal(await storage.outbox.earliestClaimExpiry(), '2026-03-14T15:09:56.123Z');
      assert.deepEqual(await storage.outbox.requeueExpiredClaims('2026-03-14T15:10:00.000Z'), [b[0]!.id]);
      assert.equal(await storage.outbox.earliestClaimExpiry(), null);
    });

    it('re-queues an expired claim together with its attempt: when the attempt cannot be written, the claim stays as it was', async () => {
      const user = await storage.people.createUser(newUser('requeue-atomic@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const to = { ticketId: ticket.id, recipientId: user.id, toAddress: 'requeue-atomic@example.test' };
      await storage.outbox.queueMails([queuedMail(to, 'atomic', 1)], AT);
      // Every mail due (those earlier tests left too), claimed under one lease.
      const claimed = await storage.outbox.claimOutbox({
        now: AT,
        leaseUntil: '2026-03-14T15:09:40.000Z',
        token: 'atomic',
        limit: 100,
      });
      assert.ok(claimed.some((e) => e.subject === 'atomic 1'));
      // The attempt's insert fails.
      await whileInsertsFail(storage, database, 'outbox_attempt', () =>
        assert.rejects(storage.outbox.requeueExpiredClaims('2026-03-14T15:10:00.000Z'), /no attempt written/),
      );
      const states = async () => Promise.all(claimed.map(async (e) => (await storage.outbox.findOutboxEntry(e.id))!));
      assert.ok(
        (await states()).every((e) => e.status === 'sending' && e.attempts.length === 0),
        'none re-queued without its attempt',
      );
      assert.deepEqual(
        (await storage.outbox.requeueExpiredClaims('2026-03-14T15:10:00.000Z')).sort((x, y) => x - y),
        claimed.map((e) => e.id),
      );
      assert.deepEqual(
        (await states()).map((e) => [e.status, e.attempts.map((a) => a.result)]),
        claimed.map(() => ['deferred', ['interrupted']]),
      );
    });

    it('claims only the entries named, when named, though others are due before them', async () => {
      const user = await storage.people.createUser(newUser('claim-named@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const to = { ticketId: ticket.id, recipientId: user.id, toAddress: 'claim-named@example.test' };
      const ids = await storage.outbox.queueMails(
        [1, 2, 3].map((n) => queuedMail(to, 'named', n)),
        AT,
      );
      const claim = (named: number[]) =>
        storage.outbox.claimOutbox({ now: AT, leaseUntil: AT, token: 'named', limit: 10, ids: named });
      assert.deepEqual(await claim([]), []);
      assert.deepEqual(
        (await claim([ids[2]!])).map((e) => e.id),
        [ids[2]],
      );
      assert.deepEqual(await claim([ids[2]!]), [], 'claimed already');
      // The other two, still due, are claimed when named (the limit counts within them).
      const rest = await storage.outbox.claimOutbox({ now: AT, leaseUntil: AT, token: 'rest', limit: 1, ids });
      assert.deepEqual(
        rest.map((e) => e.id),
        [ids[0]],
      );
      await storage.outbox.requeueExpiredClaims('2026-03-14T15:20:00.000Z');
    });

    it('names the reply address of the newest mail that has one (what parley doctor checks the key against)', async () => {
      const user = await storage.people.createUser(newUser('newest-reply@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const to = { ticketId: ticket.id, recipientId: user.id, toAddress: 'newest-reply@example.test' };
      const address = (n: number) => `reply+${ticket.number}.${user.id}.${n}@x.test`;
      await storage.outbox.queueMails([queuedMail(to, 'reply', 1, { replyTo: address(1) })], AT);
      assert.equal(await storage.outbox.newestReplyAddress(), address(1));
      // A mail without one (a closed ticket's notice) is passed over.
      await storage.outbox.queueMails(
        [queuedMail(to, 'reply', 2, { replyTo: address(2) }), queuedMail(to, 'reply', 3)],
        AT,
      );
      assert.equal(await storage.outbox.newestReplyAddress(), address(2));
    });
  });
}
