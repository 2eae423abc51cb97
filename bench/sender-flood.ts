/**
 * An inbound mail's claim during a flood from one sender, on PostgreSQL: `BENCH_FLOOD` mails of that sender already
 * received in the last minute, then `BENCH_CLAIMS` more claimed one after another, by migration 009's function (every
 * mail of the sender counted, the row written twice; a database migrated up to just before 035) and by migration
 * 035's as 038 leaves it (counted up to the cap, default 20, by a statement planned once; one write; a database
 * migrated to the end), alternating in the same run on the same server. Prints claims a second of each and their
 * ratio.
 *
 *   node --import tsx bench/sender-flood.ts
 */
import { sql } from 'kysely';
import { openPostgresStorage } from '../src/adapters/storage/postgres/postgres-storage.ts';
import { erasedDedupeKey } from '../src/adapters/storage/sql/inbound-rows.ts';
import type { SqlStorage } from '../src/adapters/storage/sql/sql-storage.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { migrateBefore } from '../test/support/migrations.ts';
import { intEnv } from './settings.ts';

const FLOOD = intEnv('BENCH_FLOOD', 5_000, 100, 100_000);
/** Claimed by each function, in four rounds of a quarter each. */
const CLAIMS = 4 * Math.floor(intEnv('BENCH_CLAIMS', 500, 50, 10_000) / 4);
const CAP = intEnv('BENCH_CAP', 20, 1, 1_000_000);
const SENDER = 'flood@example.org';

const now = new Date();
const since = new Date(now.getTime() - 60_000).toISOString();
const at = now.toISOString();

/** A database holding the flood, migrated to the end or up to just before `before`. */
async function floodedDatabase(before?: string) {
  const created = await createPostgresDatabase();
  const storage = openPostgresStorage(created.url, { max: 2 });
  if (before) await migrateBefore(storage, before);
  else await storage.migrate();
  // The flood already received and counted: rows of the sender, as claims leave them.
  await sql`insert into inbound_mail (received_at, updated_at, status, raw, size, sha256, envelope_to, attempts,
      dedupe_key, sender_key)
    select ${at}, ${at}, 'held', '\\x00'::bytea, 1, md5(n::text), '[]', 1, 'mid:<flood.' || n || '>', ${SENDER}
    from generate_series(1, ${FLOOD}) as n`.execute(storage.kyselyInstance);
  await sql`analyze inbound_mail`.execute(storage.kyselyInstance);
  return { storage, drop: created.drop };
}

/** `n` new mails, received and not claimed yet. */
async function newMails(storage: SqlStorage, n: number): Promise<number[]> {
  const { rows } = await sql<{ id: number }>`insert into inbound_mail (received_at, updated_at, status, raw, size,
      sha256, envelope_to, attempts)
    select ${at}, ${at}, 'received', '\\x00'::bytea, 1, md5(random()::text), '[]', 0
    from generate_series(1, ${n}) returning id`.execute(storage.kyselyInstance);
  return rows.map((r) => r.id);
}

const old = await floodedDatabase('035');
const current = await floodedDatabase();
try {
  const setups = [
    {
      name: 'migration 009 (counts all)',
      storage: old.storage,
      call: (id: number) =>
        sql`select * from parley_claim_inbound(${id}, ${`mid:<new.${id}>`}, ${SENDER}, ${since}::timestamptz)`,
    },
    {
      name: `migrations 035 and 038 (counts up to ${CAP})`,
      storage: current.storage,
      call: (id: number) => {
        const key = `mid:<new.${id}>`;
        return sql`select * from parley_claim_inbound(${id}, ${key}, ${erasedDedupeKey(key)}, ${SENDER},
          ${since}::timestamptz, ${CAP})`;
      },
    },
  ];
  const seconds = new Map<string, number>();
  for (const round of [0, 1, 2, 3]) {
    for (const { name, storage, call } of round % 2 === 0 ? setups : [...setups].reverse()) {
      const ids = await newMails(storage, CLAIMS / 4);
      const start = process.hrtime.bigint();
      for (const id of ids) await call(id).execute(storage.kyselyInstance);
      seconds.set(name, (seconds.get(name) ?? 0) + Number(process.hrtime.bigint() - start) / 1e9);
    }
  }
  console.log(`claims of one sender with ${FLOOD} mails in the last minute, ${CLAIMS} claims each, alternating:`);
  for (const [name, s] of seconds) console.log(`  ${name}: ${(CLAIMS / s).toFixed(0)} claims/s`);
  const [before, after] = [...seconds.values()] as [number, number];
  console.log(`  ratio (035/038 ÷ 009, claims a second): ${(before / after).toFixed(2)}; limit ≥ 1.00`);
  process.exitCode = before / after >= 1 ? 0 : 1;
} finally {
  for (const { storage, drop } of [old, current]) {
    await storage.close();
    await drop();
  }
}
