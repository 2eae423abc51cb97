/**
 * Migration 038 (PostgreSQL): the claim of an inbound mail counts its sender's recent mail with a statement whose plan
 * PL/pgSQL keeps, not one planned for each call; it answers as before, the count stopping at the cap, and goes back
 * down to migration 035's function.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { erasedDedupeKey } from '../../src/adapters/storage/sql/inbound-rows.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { insertReceivedMail, migrateBefore, migratorOf, UNMIGRATED_DATABASES } from '../support/migrations.ts';

type Db = SqlStorage['kyselyInstance'];

const SINCE = '2026-03-14T15:00:00.000Z';

const newMail = (db: Db, n: number, receivedAt = SINCE) => insertReceivedMail(db, n, receivedAt);

/** Claims mail `id` under `key` for sender ann@x, counting up to `cap` of her mail since SINCE. */
async function claim(db: Db, id: number, key: string, cap: number) {
  const { rows } = await sql<{ holder: number; recent: number | null }>`select * from
    parley_claim_inbound(${id}, ${key}, ${erasedDedupeKey(key)}, 'ann@x', ${SINCE}, ${cap})`.execute(db);
  return rows[0]!;
}

/** Whether the six-argument claim plans its count for each call (`execute`). */
async function countsWithExecute(db: Db): Promise<boolean> {
  const { rows } = await sql<{ src: string }>`select prosrc as src from pg_proc
    where proname = 'parley_claim_inbound' and pronargs = 6`.execute(db);
  return /\bexecute\b/i.test(rows[0]!.src);
}

const postgres = UNMIGRATED_DATABASES.find((d) => d.name === 'PostgreSQL')!;

describe('migration 038 on PostgreSQL', () => {
  it('counts a sender’s mail up to the cap with a statement planned once, answers as before, and goes back down', async () => {
    const { storage, drop } = await postgres.open();
    try {
      await migrateBefore(storage, '038');
      const db = storage.kyselyInstance;
      assert.equal(await countsWithExecute(db), true, 'migration 035 plans the count for each call');
      const first = await newMail(db, 1);
      assert.deepEqual(await claim(db, first, 'mid:<1@x>', 20), { holder: first, recent: 0 });
      await storage.migrate();
      assert.equal(await countsWithExecute(db), false, 'migration 038 plans it once');

      // Her mail of the window is counted, an earlier one is not, and the count stops at the cap.
      const old = await newMail(db, 2, '2026-03-14T14:00:00.000Z');
      await sql`update inbound_mail set sender_key = 'ann@x' where id = ${old}`.execute(db);
      const ids = [await newMail(db, 3), await newMail(db, 4), await newMail(db, 5), await newMail(db, 6)];
      assert.deepEqual(await claim(db, ids[0]!, 'mid:<3@x>', 20), { holder: ids[0], recent: 1 });
      assert.deepEqual(await claim(db, ids[1]!, 'mid:<4@x>', 20), { holder: ids[1], recent: 2 });
      assert.deepEqual(await claim(db, ids[2]!, 'mid:<5@x>', 2), { holder: ids[2], recent: 2 });
      // Called again and again with other caps (PL/pgSQL keeps the plan after a few calls), it still counts to each.
      for (let i = 0; i < 6; i++) {
        const cap = 1 + (i % 3);
        assert.deepEqual(await claim(db, ids[3]!, 'mid:<6@x>', cap), { holder: ids[3], recent: cap });
      }
      // A copy (the same key) is held by the first mail, counted nowhere.
      const copy = await newMail(db, 7);
      assert.deepEqual(await claim(db, copy, 'mid:<3@x>', 20), { holder: ids[0], recent: null });

      const migrator = migratorOf(db);
      const down = await migrator.migrateTo('037-inbound-lease');
      assert.equal(down.error, undefined);
      assert.deepEqual(down.results?.map((r) => [r.migrationName, r.status]).at(-1), [
        '038-inbound-claim-count-planned-once',
        'Success',
      ]);
      assert.equal(await countsWithExecute(db), true, 'migration 035’s function again');
      const after = await newMail(db, 8);
      assert.deepEqual(await claim(db, after, 'mid:<8@x>', 20), { holder: after, recent: 5 });
    } finally {
      await storage.close();
      await drop();
    }
  });
});
