/**
 * Migration 033: the erasure's look-ups use indexes instead of reading whole tables: a ticket's mail in the outbox
 * (`ticket_id in …`; `ticket_id = … and created_at >= …`) and the copies of an inbound mail (`duplicate_of in …`).
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql, type Kysely } from 'kysely';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

const BY_TICKET = sql`select id from outbox_entry where ticket_id in (1, 2, 3)`;
const FROM_FIRST = sql`select id, subject, text, html from outbox_entry
  where (ticket_id = 1 and created_at >= '2026-01-01T00:00:00.000Z') or (ticket_id = 2 and created_at >= '2026-02-01T00:00:00.000Z')`;
const COPIES = sql`select id from inbound_mail where duplicate_of in (1, 2)`;
/** Each look-up and the index it should use. */
const LOOK_UPS = [
  [BY_TICKET, /outbox_entry_ticket/],
  [FROM_FIRST, /outbox_entry_ticket/],
  [COPIES, /inbound_mail_duplicate_of/],
] as const;

/**
 * The plan of a query, one line per step, as the database explains it (PostgreSQL told not to prefer a scan). The
 * database as the migrations take it: `Kysely<any>`.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
async function plan(db: Kysely<any>, postgres: boolean, query: typeof BY_TICKET): Promise<string> {
  if (!postgres) {
    const rows = await sql<{ detail: string }>`explain query plan ${query}`.execute(db);
    return rows.rows.map((r) => r.detail).join('\n');
  }
  return db.transaction().execute(async (tx) => {
    // An empty table is read whole whatever its indexes; this asks which index the planner can use.
    await sql`set local enable_seqscan = off`.execute(tx);
    const rows = await sql<{ 'QUERY PLAN': string }>`explain ${query}`.execute(tx);
    return rows.rows.map((r) => r['QUERY PLAN']).join('\n');
  });
}

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 033 on ${database.name}`, () => {
    it('lets the erasure find a ticket’s mail and a mail’s copies by index, where before it read whole tables', async () => {
      const { storage, drop } = await database.open();
      const postgres = database.name === 'PostgreSQL';
      try {
        await migrateBefore(storage, '033');
        const db = storage.kyselyInstance;
        for (const [query, index] of LOOK_UPS) assert.doesNotMatch(await plan(db, postgres, query), index);
        await storage.migrate();
        for (const [query, index] of LOOK_UPS) assert.match(await plan(db, postgres, query), index);
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
}
