import { sql } from 'kysely';
import type { InboundOutcome, InboundStatus } from '../../../domain/inbound/inbound-mail.ts';
import { AuthorGone, PersonErased } from '../../../ports/storage/common.ts';
import type { NewMessage } from '../../../ports/storage/messages.ts';
import type { MessageMails } from '../../../ports/storage/unit-of-work.ts';
import { finishStatement } from '../sql/inbound-rows.ts';
import { messageRow, outboxRow, touchColumns } from '../sql/message-rows.ts';
import { nameShape } from '../sql/sql-context.ts';
import type { SqlContext } from '../sql/sql-dialect.ts';

/** Column types of outbox_entry that a VALUES list must spell out on PostgreSQL (the rest are text). */
const OUTBOX_TYPES: Record<string, string> = {
  ticket_id: 'integer',
  recipient_id: 'integer',
  mailbox_id: 'integer',
  next_attempt_at: 'timestamptz',
  attempts_since: 'timestamptz',
  created_at: 'timestamptz',
  updated_at: 'timestamptz',
};

/**
 * PostgreSQL: the message, the ticket's activity time and the outbox rows in one statement (one round trip; a
 * statement is atomic); then the dispatchers and the ticket's pages are told (`SqlContext.note`: after the commit).
 * The author's row is locked first (`for share`, which the foreign key's own check would have taken in its weaker
 * form) and the rest is written only while they are active and not erased: an erasure or deactivation holding their
 * row is waited for and seen once it commits (the lock reads the row's latest version), so a message whose actor was
 * loaded before it writes nothing and `AuthorGone` is thrown. One that comes after waits for this statement. The
 * users the mails were rendered with (`renderedWith`: their recipients, the ticket's requester) are locked the same
 * way, with the author: one erased since they were read, and nothing is written (`PersonErased`; the caller renders
 * again). Still one statement: the check is a CTE of it.
 */
export async function storeMessageInOneStatement(
  ctx: SqlContext,
  m: NewMessage,
  mails: MessageMails,
  inbound?: { id: number; outcome: InboundOutcome; fromStatuses: readonly InboundStatus[] },
): Promise<{ messageId: number; outboxIds: number[] } | undefined> {
  const message = messageRow(m);
  const columns = Object.keys(message);
  const outboxColumns = mails.length
    ? Object.keys(outboxRow({ ...mails[0]!, messageId: 0 }, m.createdAt)).filter((c) => c !== 'message_id')
    : [];
  const outboxValues = mails.map((mail) => {
    const row = outboxRow({ ...mail, messageId: 0 }, m.createdAt);
    return sql`(${sql.join(outboxColumns.map((c) => sql`${row[c]}::${sql.raw(OUTBOX_TYPES[c] ?? 'text')}`))})`;
  });
  // The author, locked before anything is written, before the inbound mail's row too: an erasure holding the
  // author's row and waiting for the mail's, while this held the mail's and waited for the author's, would deadlock.
  const author = sql`a as materialized (
      select active, erased_at from app_user where id = ${m.authorId} for share
    )`;
  // The users the mails were rendered with, locked as the author is (one array parameter: one shape for any count).
  const people = [...new Set(m.renderedWith ?? [])];
  const renderedWith = people.length
    ? sql`, p as materialized (
      select id, erased_at from app_user where id = any(${people}::integer[]) for share
    )`
    : sql``;
  const mayWrite = people.length
    ? sql`exists (select 1 from a where active and erased_at is null)
      and not exists (select 1 from p where erased_at is not null)`
    : sql`exists (select 1 from a where active and erased_at is null)`;
  // With an inbound mail: its outcome first (the message's id drawn beforehand), and the rest only if it was
  // still pending; a second process doing the same waits for the row, then finds it decided and stores nothing.
  const finish =
    inbound &&
    finishStatement(
      inbound.id,
      { ...inbound.outcome, messageId: null },
      inbound.fromStatuses,
      sql`(select id from n)`,
      mayWrite,
    );
  const insertMessage = inbound
    ? sql`n as (
      select nextval(pg_get_serial_sequence('ticket_message', 'id'))::integer as id
    ), f as (
      ${finish}
    ), m as (
      insert into ticket_message (id, ${sql.join(columns.map((c) => sql.ref(c)))})
      select (select id from n), ${sql.join(columns.map((c) => message[c]))} where exists (select 1 from f) returning id
    ), t as (
      update ticket set ${touchColumns(m)} where id = ${m.ticketId} and exists (select 1 from m)
    )`
    : sql`m as (
      insert into ticket_message (${sql.join(columns.map((c) => sql.ref(c)))})
      select ${sql.join(columns.map((c) => message[c]))} where ${mayWrite} returning id
    ), t as (
      update ticket set ${touchColumns(m)} where id = ${m.ticketId} and exists (select 1 from m)
    )`;
  const authorState = sql`(select active from a) as author_active,
    (select erased_at is not null from a) as author_erased, ${
      people.length ? sql`(select array_agg(id order by id) from p where erased_at is not null)` : sql`null`
    } as people_erased`;
  const query = sql<{
    message_id: number | null;
    outbox_ids: number[] | null;
    author_active: boolean | null;
    author_erased: boolean | null;
    people_erased: number[] | null;
  }>`
    with ${author}${renderedWith}, ${insertMessage}${
      mails.length
        ? sql`, o as (
      insert into outbox_entry (message_id, ${sql.join(outboxColumns.map((c) => sql.ref(c)))})
      select m.id, v.* from m, (values ${sql.join(outboxValues)}) as v (${sql.join(outboxColumns.map((c) => sql.ref(c)))})
      returning id
    )
    select (select id from m) as message_id, (select array_agg(id order by id) from o) as outbox_ids, ${authorState}`
        : sql`
    select (select id from m) as message_id, null as outbox_ids, ${authorState}`
    }`;
  const { rows } = await ctx.db.executeQuery(nameShape(query.compile(ctx.db)));
  const row = rows[0];
  if (row?.author_active !== true || row.author_erased !== false)
    throw new AuthorGone(m.authorId, !!row?.author_erased);
  if (row.people_erased?.length) throw new PersonErased(row.people_erased.map(Number));
  const messageId = row.message_id;
  if (messageId == null) return undefined;
  const outboxIds = (row.outbox_ids ?? []).map(Number);
  await ctx.note(...(outboxIds.length > 0 ? [{ kind: 'outbox' as const }] : []), {
    kind: 'ticket',
    ticketId: m.ticketId,
    staffOnly: m.internal,
  });
  return { messageId, outboxIds };
}
