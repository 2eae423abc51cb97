/**
 * The storage contract of outbox, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, newTicket, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, outbox, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

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
    });
  });
}
