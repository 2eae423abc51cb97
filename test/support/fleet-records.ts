/** What the database of a fleet test holds, read back for its checks. */
import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';

/** How many messages of a ticket carry each text, of one source (`desk`: posted over HTTP; `email`: replies). */
export async function messagesByText(storage: SqlStorage, ticketId: number, source: string) {
  const rows = await storage.kyselyInstance
    .selectFrom('ticket_message')
    .select(['text', sql<number>`count(*)::int`.as('n')])
    .where('ticket_id', '=', ticketId)
    .where('source', '=', source)
    .groupBy('text')
    .execute();
  return new Map(rows.map((r) => [r.text, r.n]));
}

export function outboxEntries(storage: SqlStorage) {
  return storage.kyselyInstance.selectFrom('outbox_entry').select(['id', 'status', 'message_id_header']).execute();
}

/** The mails whose claim was taken back from a dispatcher that died holding it. */
export async function interruptedEntries(storage: SqlStorage): Promise<Set<number>> {
  const rows = await storage.kyselyInstance
    .selectFrom('outbox_attempt')
    .select('entry_id')
    .where('result', '=', 'interrupted')
    .execute();
  return new Set(rows.map((r) => r.entry_id));
}

/** The reply address of a mail sent to this address, once one was sent. */
export async function sentReplyAddress(storage: SqlStorage, to: string): Promise<string | null | undefined> {
  const row = await storage.kyselyInstance
    .selectFrom('outbox_entry')
    .select('reply_to')
    .where('status', '=', 'sent')
    .where('to_address', '=', to)
    .executeTakeFirst();
  return row?.reply_to;
}
