/**
 * Migration 035 (PostgreSQL): an inbound mail's claim writes its row once, where migration 009's function wrote it
 * twice (its duplicate key, then its sender key), and the previous version's function still answers for instances
 * not yet upgraded. Both databases: mail erased before keeps its duplicate key only as a digest.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { erasedDedupeKey } from '../../src/adapters/storage/sql/inbound-rows.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { insertReceivedMail, migrateBefore, migratorOf, UNMIGRATED_DATABASES } from '../support/migrations.ts';

type Db = SqlStorage['kyselyInstance'];

const SINCE = '2026-03-14T15:00:00.000Z';

const newMail = (db: Db, n: number) => insertReceivedMail(db, n, SINCE);

/**
 * A claim in a transaction of its own, with the updates of `inbound_mail` it made (read before it commits). The
 * connection's pending statistics are flushed first, since PostgreSQL 15 reports those of earlier transactions too.
 */
async function claim(db: Db, call: ReturnType<typeof sql>) {
  return db.connection().execute(async (conn) => {
    await sql`select pg_stat_force_next_flush()`.execute(conn);
    return conn.transaction().execute(async (tx) => {
      const { rows } = await sql<{ holder: number; recent: number | null }>`select * from ${call}`.execute(tx);
      const updates = await sql<{ n: string }>`select n_tup_upd as n from pg_stat_xact_user_tables
        where relname = 'inbound_mail'`.execute(tx);
      return { ...rows[0]!, updates: Number(updates.rows[0]?.n ?? 0) };
    });
  });
}

const postgres = UNMIGRATED_DATABASES.find((d) => d.name === 'PostgreSQL')!;

describe('migration 035 on PostgreSQL', () => {
  it('claims a mail in one update of its row, the previous version’s call too, and goes back down', async () => {
    const { storage, drop } = await postgres.open();
    try {
      await migrateBefore(storage, '035');
      const db = storage.kyselyInstance;
      const [a, b, c] = [await newMail(db, 1), await newMail(db, 2), await newMail(db, 3)];
      const before = await claim(db, sql`parley_claim_inbound(${a}, 'mid:<a@x>', 'ann@x', ${SINCE})`);
      assert.deepEqual(before, { holder: a, recent: 0, updates: 2 });
      await storage.migrate();
      const after = await claim(
        db,
        sql`parley_claim_inbound(${b}, 'mid:<b@x>', ${erasedDedupeKey('mid:<b@x>')}, 'ann@x', ${SINCE}, 20)`,
      );
      assert.deepEqual(after, { holder: b, recent: 1, updates: 1 });
      // The previous version's call (an instance not yet upgraded) claims the same way, an erased mail's digest too.
      const old = await claim(db, sql`parley_claim_inbound(${c}, 'mid:<c@x>', 'ann@x', ${SINCE})`);
      assert.deepEqual(old, { holder: c, recent: 2, updates: 1 });
      await sql`update inbound_mail set dedupe_key = ${erasedDedupeKey('mid:<a@x>')}, sha256 = '' where id = ${a}`.execute(
        db,
      );
      const d = await newMail(db, 4);
      const copy = await claim(db, sql`parley_claim_inbound(${d}, 'mid:<a@x>', 'ann@x', ${SINCE})`);
      assert.deepEqual(copy, { holder: a, recent: null, updates: 0 });
      const keys = await sql<{ id: number; dedupe_key: string | null; sender_key: string | null }>`
        select id, dedupe_key, sender_key from inbound_mail order by id`.execute(db);
      assert.deepEqual(keys.rows, [
        { id: a, dedupe_key: erasedDedupeKey('mid:<a@x>'), sender_key: 'ann@x' },
        { id: b, dedupe_key: 'mid:<b@x>', sender_key: 'ann@x' },
        { id: c, dedupe_key: 'mid:<c@x>', sender_key: 'ann@x' },
        { id: d, dedupe_key: null, sender_key: null },
      ]);

      // Down: migration 009's function again, and the six-argument one gone.
      const migrator = migratorOf(db);
      // Down to 034, through the later migrations first.
      const down = await migrator.migrateTo('034-outbox-cc-erased');
      assert.equal(down.error, undefined);
      assert.deepEqual(down.results?.map((r) => [r.migrationName, r.status]).at(-1), [
        '035-inbound-claim-once',
        'Success',
      ]);
      const e = await newMail(db, 5);
      const again = await claim(db, sql`parley_claim_inbound(${e}, 'mid:<e@x>', 'ann@x', ${SINCE})`);
      assert.deepEqual(again, { holder: e, recent: 3, updates: 2 });
      const functions = await sql<{ n: number }>`select pronargs as n from pg_proc
        where proname = 'parley_claim_inbound' order by pronargs`.execute(db);
      assert.deepEqual(
        functions.rows.map((r) => r.n),
        [4],
      );
    } finally {
      await storage.close();
      await drop();
    }
  });
});

for (const database of UNMIGRATED_DATABASES)
  describe(`migration 035 on ${database.name}`, () => {
    it('keeps the duplicate key of mail erased before only as a digest, and leaves other mail’s keys alone', async () => {
      const { storage, drop } = await database.open();
      try {
        await migrateBefore(storage, '035');
        const db = storage.kyselyInstance;
        const [erased, kept] = [await newMail(db, 4), await newMail(db, 5)];
        await sql`update inbound_mail set dedupe_key = 'mid:<erased@x>', sha256 = '' where id = ${erased}`.execute(db);
        await sql`update inbound_mail set dedupe_key = 'mid:<kept@x>' where id = ${kept}`.execute(db);
        await storage.migrate();
        const keys = await sql<{ id: number; dedupe_key: string }>`
          select id, dedupe_key from inbound_mail order by id`.execute(db);
        assert.deepEqual(keys.rows, [
          { id: erased, dedupe_key: erasedDedupeKey('mid:<erased@x>') },
          { id: kept, dedupe_key: 'mid:<kept@x>' },
        ]);
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
