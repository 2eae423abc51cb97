/**
 * An inbound mail's claim during a flood from one sender, on PostgreSQL: `BENCH_FLOOD` mails of that sender already
 * received in the last minute, then `BENCH_CLAIMS` more claimed one after another, by migration 009's function (every
 * mail of the sender counted, the row written twice) and by migration 035's (counted up to the cap, default 20; one
 * write), alternating in the same run on the same database. Prints claims a second of each and their ratio.
 *
 *   node --import tsx bench/sender-flood.ts
 */
import { sql } from 'kysely';
import { erasedDedupeKey } from '../src/adapters/storage/sql/inbound-rows.ts';
import { postgres } from '../test/support/databases.ts';
import { intEnv } from './settings.ts';

const FLOOD = intEnv('BENCH_FLOOD', 5_000, 100, 100_000);
const CLAIMS = intEnv('BENCH_CLAIMS', 500, 50, 10_000);
const CAP = intEnv('BENCH_CAP', 20, 1, 1_000_000);
const SENDER = 'flood@example.org';

const { storage, drop } = await postgres.open();
const db = storage.kyselyInstance;
try {
  const now = new Date();
  const since = new Date(now.getTime() - 60_000).toISOString();
  const at = now.toISOString();
  // The flood already received and counted: rows of the sender, as claims leave them.
  await sql`insert into inbound_mail (received_at, updated_at, status, raw, size, sha256, envelope_to, attempts,
      dedupe_key, sender_key)
    select ${at}, ${at}, 'held', '\\x00'::bytea, 1, md5(n::text), '[]', 1, 'mid:<flood.' || n || '>', ${SENDER}
    from generate_series(1, ${FLOOD}) as n`.execute(db);
  await sql`analyze inbound_mail`.execute(db);
  const newMails = async (n: number) =>
    (
      await sql<{ id: number }>`insert into inbound_mail (received_at, updated_at, status, raw, size, sha256,
          envelope_to, attempts)
        select ${at}, ${at}, 'received', '\\x00'::bytea, 1, md5(random()::text), '[]', 0
        from generate_series(1, ${n}) returning id`.execute(db)
    ).rows.map((r) => r.id);
  const calls = {
    'migration 009 (counts all)': (id: number) =>
      sql`select * from parley_claim_inbound(${id}, ${`mid:<new.${id}>`}, ${SENDER}, ${since}::timestamptz)`,
    [`migration 035 (counts up to ${CAP})`]: (id: number) =>
      sql`select * from parley_claim_inbound(${id}, ${`mid:<new.${id}>`}, ${erasedDedupeKey(`mid:<new.${id}>`)}, ${SENDER}, ${since}::timestamptz, ${CAP})`,
  };
  const seconds: Record<string, number> = {};
  for (const round of [0, 1, 2, 3]) {
    for (const [name, call] of round % 2 === 0 ? Object.entries(calls) : Object.entries(calls).reverse()) {
      const ids = await newMails(CLAIMS / 4);
      const start = process.hrtime.bigint();
      for (const id of ids) await call(id).execute(db);
      seconds[name] = (seconds[name] ?? 0) + Number(process.hrtime.bigint() - start) / 1e9;
    }
  }
  console.log(`claims of one sender with ${FLOOD} mails in the last minute, ${CLAIMS} claims each, alternating:`);
  for (const [name, s] of Object.entries(seconds)) console.log(`  ${name}: ${(CLAIMS / s).toFixed(0)} claims/s`);
  const [before, after] = Object.values(seconds) as [number, number];
  console.log(`  ratio (035 ÷ 009, claims a second): ${(before / after).toFixed(2)}; limit ≥ 1.00`);
  process.exitCode = before / after >= 1 ? 0 : 1;
} finally {
  await storage.close();
  await drop();
}
