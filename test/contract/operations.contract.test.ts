/**
 * The storage contract of what operations read (the metrics' backlog, `parley doctor`), run against every real
 * database Parley supports (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { ALL_DATABASES, createPostgresDatabase } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

/** Stores a message at `at` with one queued mail per address; returns the mails' ids. */
async function queueMails(storage: SqlStorage, at: string, addresses: string[]): Promise<number[]> {
  const user = await storage.people.createUser(newUser(`ops.${at.replace(/\D/g, '')}@example.test`), AT);
  const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
  const mails = addresses.map((address, i) => ({
    ticketId: ticket.id,
    recipientId: user.id,
    toAddress: address,
    toName: 'R',
    subject: 's',
    html: 'h',
    text: 't',
    messageIdHeader: `<ops.${at}.${i}@x.test>`,
    threadId: null,
    replyTo: null,
  }));
  const message = {
    ticketId: ticket.id,
    authorId: user.id,
    text: 'x',
    internal: false,
    sendEmail: true,
    source: 'portal' as const,
    timeSpentMinutes: null,
    timeSpentDate: null,
    createdAt: at,
  };
  return (await storage.atomic.storeMessage(message, mails)).outboxIds;
}

/** Claims every due mail and gives each the outcome `statusOf` names for it. */
async function finishAll(storage: SqlStorage, statusOf: (id: number) => 'sent' | 'deferred' | 'failed') {
  const token = `claim-${Math.random()}`;
  const now = '2030-01-01T00:00:00.000Z';
  const claimed = await storage.outbox.claimOutbox({ now, leaseUntil: '2030-01-01T00:05:00.000Z', token, limit: 100 });
  await storage.outbox.finishOutboxAttempts(
    token,
    claimed.map((e) => {
      const status = statusOf(e.id);
      const nextAttemptAt = status === 'deferred' ? '2030-01-01T01:00:00.000Z' : null;
      return { id: e.id, outcome: { status, at: '2030-01-01T00:00:01.000Z', reply: 'r', nextAttemptAt } };
    }),
  );
}

for (const database of ALL_DATABASES) {
  describe(`storage contract, operations, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('the oldest waiting mail: none, then the earliest queued or deferred one; sent and failed mail never counts', async () => {
      assert.equal(await storage.outbox.oldestWaitingOutboxAt(), null);
      assert.equal(await storage.outbox.firstDueOutboxAt(), null);
      const [a, b] = await queueMails(storage, '2026-01-01T10:00:00.000Z', ['a@x.test', 'b@x.test']);
      const [c] = await queueMails(storage, '2026-01-01T11:00:00.000Z', ['c@x.test']);
      assert.equal(await storage.outbox.oldestWaitingOutboxAt(), '2026-01-01T10:00:00.000Z');
      // The first message's mails: one sent, one failed; the later one deferred.
      await finishAll(storage, (id) => (id === a ? 'sent' : id === b ? 'failed' : 'deferred'));
      assert.equal((await storage.outbox.findOutboxEntry(c!))!.status, 'deferred');
      assert.equal(await storage.outbox.oldestWaitingOutboxAt(), '2026-01-01T11:00:00.000Z');
      // A newer queued mail does not hide the older deferred one.
      await queueMails(storage, '2026-01-01T12:00:00.000Z', ['d@x.test']);
      assert.equal(await storage.outbox.oldestWaitingOutboxAt(), '2026-01-01T11:00:00.000Z');
      await finishAll(storage, () => 'sent');
      assert.equal((await storage.outbox.findOutboxEntry(c!))!.status, 'deferred', 'not due yet, so not claimed');
      assert.equal(await storage.outbox.oldestWaitingOutboxAt(), '2026-01-01T11:00:00.000Z');
    });

    it('the first due time of a waiting mail: a queued one when queued, a deferred one at its next attempt', async () => {
      // (The test before leaves a mail deferred to 2030-01-01T01:00.)
      const [a, b] = await queueMails(storage, '2026-02-01T10:00:00.000Z', ['a@x.test', 'b@x.test']);
      await queueMails(storage, '2026-02-01T11:00:00.000Z', ['c@x.test']);
      assert.equal(await storage.outbox.firstDueOutboxAt(), '2026-02-01T10:00:00.000Z');
      // Sent and failed mail never counts; a deferred one is due at its next attempt (finishAll: 2030-01-01T01:00).
      await finishAll(storage, (id) => (id === a ? 'sent' : id === b ? 'failed' : 'deferred'));
      assert.equal(await storage.outbox.firstDueOutboxAt(), '2030-01-01T01:00:00.000Z');
      await queueMails(storage, '2026-02-01T12:00:00.000Z', ['d@x.test']);
      assert.equal(await storage.outbox.firstDueOutboxAt(), '2026-02-01T12:00:00.000Z', 'a queued mail is due now');
      await finishAll(storage, () => 'sent');
      assert.equal(await storage.outbox.firstDueOutboxAt(), '2030-01-01T01:00:00.000Z');
    });

    it('counts the inbound mail held for review, and only that', async () => {
      const base = await storage.inbound.countHeldInboundMail();
      const store = (n: number) =>
        storage.inbound.insertInboundMail(
          {
            raw: new Uint8Array([n]),
            sha256: `${n}`.padStart(64, '0'),
            envelopeFrom: null,
            envelopeTo: [],
            remoteAddress: null,
          },
          AT,
        );
      const outcome = (status: 'held' | 'discarded') => ({
        status,
        reason: status === 'held' ? ('no-match' as const) : ('discarded-by-reviewer' as const),
        reasonText: 'x',
        at: AT,
      });
      const [h1, h2, d] = [await store(1), await store(2), await store(3)];
      await store(4); // stays received
      assert.equal(await storage.inbound.countHeldInboundMail(), base);
      for (const id of [h1, h2]) await storage.inbound.finishInboundMail(id, outcome('held'), ['received']);
      await storage.inbound.finishInboundMail(d, outcome('discarded'), ['received']);
      assert.equal(await storage.inbound.countHeldInboundMail(), base + 2);
      await storage.inbound.finishInboundMail(h1, outcome('discarded'), ['held']);
      assert.equal(await storage.inbound.countHeldInboundMail(), base + 1);
    });

    it("reads the database server's clock", async () => {
      const before = Date.now();
      const time = await storage.databaseTime();
      // Same machine: the server's reading falls between ours, give or take its millisecond rounding.
      assert.ok(time.getTime() >= before - 1000 && time.getTime() <= Date.now() + 1000, time.toISOString());
    });

    it('a migrated database has no pending migration; one a newer version migrated names what it does not know', async () => {
      assert.deepEqual(await storage.migrationState(), { pending: [], unknown: [] });
      await sql`insert into parley_migration (name, timestamp) values ('999-from-the-future', '2030-01-01T00:00:00.000Z')`.execute(
        storage.kyselyInstance,
      );
      assert.deepEqual(await storage.migrationState(), { pending: [], unknown: ['999-from-the-future'] });
      await sql`delete from parley_migration where name = '999-from-the-future'`.execute(storage.kyselyInstance);
    });
  });
}

describe('storage contract, operations, on unmigrated databases', () => {
  it('an empty database lacks every migration until it is migrated', async () => {
    const sqlite = openSqliteStorage(':memory:');
    const pg = await createPostgresDatabase();
    const postgres = openPostgresStorage(pg.url, { max: 2 });
    try {
      for (const storage of [sqlite, postgres]) {
        const state = await storage.migrationState();
        assert.ok(state.pending.length >= 9, state.pending.join(', '));
        assert.equal(state.pending[0], '001-core');
        assert.deepEqual(state.unknown, []);
        assert.deepEqual((await storage.migrationState()).pending, state.pending);
        await storage.migrate();
        assert.deepEqual(await storage.migrationState(), { pending: [], unknown: [] });
      }
    } finally {
      await sqlite.close();
      await postgres.close();
      await pg.drop();
    }
  });
});
