import { sql, type ExpressionBuilder } from 'kysely';
import type { Database } from './schema.ts';
import { bool, bytesOf } from './rows.ts';
import type { InboundMailToErase } from '../../../ports/storage/inbound-mail.ts';
import { touchTicket } from './sql-context.ts';
import type { SqlContext } from './sql-dialect.ts';
import { jsonNamesAddress, namesAddress, senderHeadersName } from './erasure-text.ts';
import { erasedDedupeKey } from './inbound-rows.ts';

/**
 * The writes of an erasure (GDPR art. 17, LGPD art. 18), one function per repository, which each delegates to its
 * own (the outbox's in `erasure-outbox.ts`). Each overwrites or removes what held the person's data; the domain runs
 * them in one transaction (`domain/users/erase-requester.ts`).
 */

export async function eraseRequester(
  ctx: SqlContext,
  id: number,
  pseudonym: { name: string; email: string },
  at: string,
): Promise<boolean> {
  const r = await ctx.db
    .updateTable('app_user')
    // A former technician's signature (their name, most likely) goes too.
    .set({
      name: pseudonym.name,
      email: pseudonym.email,
      password_hash: null,
      signature: null,
      active: bool(false),
      erased_at: at,
    })
    .where('id', '=', id)
    .where('role', '=', 'requester')
    .where('erased_at', 'is', null)
    .executeTakeFirst();
  if (Number(r.numUpdatedRows) === 0) return false;
  await ctx.db.deleteFrom('group_member').where('user_id', '=', id).execute();
  return true;
}

export async function eraseTicketsOfRequester(
  ctx: SqlContext,
  requesterId: number,
  title: string,
  at: string,
): Promise<number[]> {
  const copied = await ctx.db
    .selectFrom('ticket_copy')
    .select('ticket_id')
    .where('user_id', '=', requesterId)
    .execute();
  await ctx.db.deleteFrom('ticket_copy').where('user_id', '=', requesterId).execute();
  const own = await ctx.db
    .updateTable('ticket')
    .set({ title, description: '', contact_name: null, updated_at: at })
    .where('requester_id', '=', requesterId)
    .returning('id')
    .execute();
  const ids = own.map((r) => r.id);
  for (const ticketId of new Set([...ids, ...copied.map((r) => r.ticket_id)])) await touchTicket(ctx, ticketId);
  return ids;
}

/** Empties the messages `by` names (text, HTML), marks them removed at `at` and announces it on their tickets. */
async function removeMessages(
  ctx: SqlContext,
  by: { authorId: number } | { ids: readonly number[] },
  at: string,
): Promise<number> {
  const removed = await ctx.db
    .updateTable('ticket_message')
    .set({ text: '', html: null, removed_at: at })
    .where((eb) => ('authorId' in by ? eb('author_id', '=', by.authorId) : eb('id', 'in', [...by.ids])))
    .where('removed_at', 'is', null)
    .returning(['id', 'ticket_id', 'internal'])
    .execute();
  // One announcement per ticket; to staff only when every message removed there was an internal note.
  const staffOnly = new Map<number, boolean>();
  for (const m of removed) staffOnly.set(m.ticket_id, (staffOnly.get(m.ticket_id) ?? true) && Boolean(m.internal));
  for (const [ticketId, internal] of staffOnly) await touchTicket(ctx, ticketId, internal);
  return removed.length;
}

export async function removeMessagesOfAuthor(
  ctx: SqlContext,
  authorId: number,
  at: string,
): Promise<{ messageIds: number[]; removed: number }> {
  const removed = await removeMessages(ctx, { authorId }, at);
  const all = await ctx.db.selectFrom('ticket_message').select('id').where('author_id', '=', authorId).execute();
  return { messageIds: all.map((r) => r.id), removed };
}

export async function removeMessagesQuotingMail(ctx: SqlContext, ids: readonly number[], at: string): Promise<number> {
  return ids.length === 0 ? 0 : removeMessages(ctx, { ids }, at);
}

/** Mail sent from one of `addresses` (lower case): by its From, envelope sender or the key its sender is counted by. */
function sentFrom(eb: ExpressionBuilder<Database, 'inbound_mail'>, addresses: readonly string[]) {
  return [
    eb(sql`lower(from_address)`, 'in', [...addresses]),
    eb(sql`lower(envelope_from)`, 'in', [...addresses]),
    eb('sender_key', 'in', [...addresses, ...addresses.map((a) => `unverified:${a}`)]),
  ];
}

export async function messagesOfMailFrom(
  ctx: SqlContext,
  addresses: readonly string[],
): Promise<{ messageId: number; mailId: number }[]> {
  if (addresses.length === 0) return [];
  const lower = addresses.map((a) => a.toLowerCase());
  // Every mail of theirs is locked, attached or not, before its message is read: a reviewer attaching one meanwhile
  // either committed first (its message is read here, after the wait) or waits, then finds it discarded. Unlocked, an
  // attach committed after this read kept its note, and the mails of that note, whole.
  let query = ctx.db
    .selectFrom('inbound_mail')
    .select(['id', 'message_id'])
    .where((eb) => eb.or(sentFrom(eb, lower)));
  if (ctx.dialect.locksRows) query = query.forUpdate();
  const rows = await query.execute();
  return rows.flatMap((r) => (r.message_id === null ? [] : [{ messageId: r.message_id, mailId: r.id }]));
}

export async function deleteAttachmentsOf(
  ctx: SqlContext,
  of: { messageIds: readonly number[]; inboundMailIds: readonly number[]; ticketIds: readonly number[] },
): Promise<number> {
  if (of.messageIds.length + of.inboundMailIds.length + of.ticketIds.length === 0) return 0;
  const r = await ctx.db
    .deleteFrom('attachment')
    .where((eb) =>
      eb.or([
        ...(of.messageIds.length > 0 ? [eb('message_id', 'in', [...of.messageIds])] : []),
        ...(of.inboundMailIds.length > 0 ? [eb('inbound_mail_id', 'in', [...of.inboundMailIds])] : []),
        ...(of.ticketIds.length > 0
          ? [eb.and([eb('ticket_id', 'in', [...of.ticketIds]), eb('message_id', 'is', null)])]
          : []),
      ]),
    )
    .executeTakeFirst();
  return Number(r.numDeletedRows);
}

export async function eraseInboundMailOf(
  ctx: SqlContext,
  of: InboundMailToErase,
  at: string,
  reasonText: string | null = null,
): Promise<number[]> {
  const addresses = (of.addresses ?? []).map((a) => a.toLowerCase());
  const messageIds = of.messageIds ?? [];
  const outboxIds = of.outboxIds ?? [];
  const chosen = of.ids ?? [];
  // Their mail not read yet (still to be processed, or held unread): by the sender headers of its original. Looked
  // for before their mail by address: a mail the ingestor reads meanwhile (recording its sender) is either unread to
  // this scan or, committed before, found by address below. In the other order, one committed between the two
  // statements was found by neither and kept whole.
  const unread = await unreadMailFrom(ctx, addresses);
  const rows: { id: number }[] =
    addresses.length + messageIds.length + outboxIds.length + chosen.length === 0
      ? []
      : await ctx.db
          .selectFrom('inbound_mail')
          .select('id')
          .where((eb) =>
            eb.or([
              ...(addresses.length > 0 ? sentFrom(eb, addresses) : []),
              ...(messageIds.length > 0 ? [eb('message_id', 'in', [...messageIds])] : []),
              // Reports about mail to them (bounces): they quote the address and the notification.
              ...(outboxIds.length > 0 ? [eb('outbox_id', 'in', [...outboxIds])] : []),
              ...(chosen.length > 0 ? [eb('id', 'in', [...chosen])] : []),
            ]),
          )
          .execute();
  // Reports about mail that copied them: those that name them (a failed recipient, the original's Cc header).
  rows.push(...(await reportsNaming(ctx, of.namingOn ?? [], addresses)), ...unread);
  if (rows.length === 0) return [];
  // Their copies too: a duplicate is the same mail again (a report about mail to them has no sender of theirs).
  const copies = await ctx.db
    .selectFrom('inbound_mail')
    .select('id')
    .where(
      'duplicate_of',
      'in',
      rows.map((r) => r.id),
    )
    .execute();
  const ids = [...new Set([...rows.map((r) => r.id), ...copies.map((r) => r.id)])];
  await ctx.db
    .updateTable('inbound_mail')
    .set({
      raw: Buffer.alloc(0),
      raw_removed_at: at,
      size: 0,
      sha256: '',
      text: null,
      trimmed: null,
      html: null,
      subject: null,
      from_address: null,
      from_name: null,
      envelope_from: null,
      remote_address: null,
      helo: null,
      sender_key: null,
      message_id_header: null,
      reason_text: reasonText,
      attachment_note: null,
    })
    .where('id', 'in', ids)
    // Mail erased before (its digest emptied) keeps the reason and time it was erased with.
    .where('sha256', '<>', '')
    .execute();
  // Its duplicate key only as a digest: the same mail arriving again is a copy, without its Message-ID kept. A digest
  // another mail holds already (it cannot be two mails' key) leaves this one none.
  const keyed = await ctx.db
    .selectFrom('inbound_mail')
    .select(['id', 'dedupe_key'])
    .where('id', 'in', ids)
    .where('dedupe_key', 'is not', null)
    .where('dedupe_key', 'not like', 'erased:%')
    .execute();
  const digests = keyed.map((r) => erasedDedupeKey(r.dedupe_key!));
  const held =
    digests.length === 0
      ? new Set<string>()
      : new Set(
          (
            await ctx.db.selectFrom('inbound_mail').select('dedupe_key').where('dedupe_key', 'in', digests).execute()
          ).map((r) => r.dedupe_key),
        );
  for (const [i, { id }] of keyed.entries())
    await ctx.db
      .updateTable('inbound_mail')
      .set({ dedupe_key: held.has(digests[i]!) ? null : digests[i]! })
      .where('id', '=', id)
      .execute();
  // Mail nobody decided yet must not be processed or reviewed without its original: it is discarded.
  await ctx.db
    .updateTable('inbound_mail')
    .set({ status: 'discarded', updated_at: at, resolved_at: at })
    .where('id', 'in', ids)
    .where('status', 'in', ['received', 'held'])
    .execute();
  return ids;
}

/** Raw bytes read as Latin-1 and as UTF-8 (an address with letters beyond ASCII, SMTPUTF8). */
const decodings = (raw: Uint8Array) => [Buffer.from(raw).toString('latin1'), Buffer.from(raw).toString('utf8')];

/** How much of an original the sender scan reads: its header section, as much as the sender check reads of it. */
const HEAD_BYTES = 256 * 1024;

/**
 * Mail whose sender was never read from its original (`from_address` empty: still `received`, waiting for processing,
 * or held because it could not be read), whose sender headers name one of `addresses`. Read a batch at a time, and
 * of each original only its first 256 KiB (`substr` on a blob or bytea, on both databases; SQLite still reads the
 * whole blob, JavaScript gets and decodes only the head): a backlog may be large, and an original up to
 * PARLEY_INBOUND_MAX_BYTES. A sender header further down is not found (the sender check reads no more).
 */
async function unreadMailFrom(ctx: SqlContext, addresses: readonly string[]): Promise<{ id: number }[]> {
  if (addresses.length === 0) return [];
  const found: { id: number }[] = [];
  for (let after = 0; ;) {
    const batch = await ctx.db
      .selectFrom('inbound_mail')
      .select(['id', sql<Uint8Array | null>`substr(raw, 1, ${sql.lit(HEAD_BYTES)})`.as('head')])
      .where('status', 'in', ['received', 'held'])
      .where('from_address', 'is', null)
      .where('sha256', '<>', '')
      .where('id', '>', after)
      .orderBy('id')
      .limit(100)
      .execute();
    for (const r of batch)
      if (r.head && decodings(bytesOf(r.head)).some((text) => senderHeadersName(text, addresses)))
        found.push({ id: r.id });
    if (batch.length < 100) return found;
    after = batch[batch.length - 1]!.id;
  }
}

/** The reports about `outboxIds` whose original, text, subject or reason names one of `addresses`. */
async function reportsNaming(
  ctx: SqlContext,
  outboxIds: readonly number[],
  addresses: readonly string[],
): Promise<{ id: number }[]> {
  if (outboxIds.length === 0 || addresses.length === 0) return [];
  const reports = await ctx.db
    .selectFrom('inbound_mail')
    .select(['id', 'raw', 'text', 'subject', 'reason_text'])
    .where('outbox_id', 'in', [...outboxIds])
    .execute();
  return reports
    .filter((r) =>
      [...decodings(bytesOf(r.raw)), r.text ?? '', r.subject ?? '', r.reason_text ?? ''].some((text) =>
        namesAddress(text, addresses),
      ),
    )
    .map(({ id }) => ({ id }));
}

/**
 * The webhook deliveries that carry the person: about their tickets, of the messages they wrote (`"author":{"id":…,`
 * in Parley's own JSON) or that quote their mail (`"message":{"id":…,`: a reviewer's note), those about their erased
 * mail (`"inboundMail":{"id":…,`: `inbound.held`, whatever sender it recorded), or whose body names one
 * of their addresses, on any ticket or none (`inbound.held` of their mail: sender and subject; `mail.*` of a mail to
 * them: recipient and the server's reason). Their name is in a body only as a message's author or a ticket's
 * requester, which the first two find.
 *
 * Deleted with their attempts, sent or not, rather than scrubbed: a body is the event as it happened, signed when
 * posted under an event id receivers de-duplicate by; a scrubbed body would be a different event under the same id
 * ("send again" would post it), and which fields are personal differs by event. A delivery not sent yet never goes
 * out: a dispatcher holding one in its batch hears of it (`outbox-withdrawn`) and renews its claims before posting the
 * next; only those being posted at that moment may still reach their endpoint (their outcomes then find no row).
 */
export async function eraseWebhookDeliveriesOf(
  ctx: SqlContext,
  of: {
    ticketIds: readonly number[];
    authorId: number;
    addresses: readonly string[];
    messageIds?: readonly number[];
    inboundMailIds?: readonly number[];
  },
): Promise<number> {
  const addresses = of.addresses.map((a) => a.toLowerCase());
  const authored = `"author":{"id":${of.authorId},`;
  // `message.created` of those messages (a reviewer's quoting their mail), as Parley writes it; `inbound.held` of
  // their erased mail.
  const messages = [
    ...(of.messageIds ?? []).map((id) => `"message":{"id":${id},`),
    ...(of.inboundMailIds ?? []).map((id) => `"inboundMail":{"id":${id},`),
  ];
  return ctx.atomically(async (ctx) => {
    const rows = await ctx.db
      .selectFrom('webhook_delivery')
      .select(['id', 'ticket_id', 'body'])
      .where((eb) =>
        eb.or([
          ...(of.ticketIds.length > 0 ? [eb('ticket_id', 'in', [...of.ticketIds])] : []),
          eb('body', 'like', `%${authored}%`),
          ...messages.map((m) => eb('body', 'like', `%${m}%`)),
          // `%` and `_` in an address only widen the match; the exact test is below.
          ...addresses.map((a) => eb(sql`lower(body)`, 'like', `%${a}%`)),
        ]),
      )
      .execute();
    const ids = rows
      .filter(
        (r) =>
          (r.ticket_id !== null && of.ticketIds.includes(r.ticket_id)) ||
          r.body.includes(authored) ||
          messages.some((m) => r.body.includes(m)) ||
          jsonNamesAddress(r.body, addresses),
      )
      .map((r) => r.id);
    if (ids.length === 0) return 0;
    await ctx.db.deleteFrom('webhook_attempt').where('delivery_id', 'in', ids).execute();
    const deleted = await ctx.db
      .deleteFrom('webhook_delivery')
      .where('id', 'in', ids)
      .returning('claim_token')
      .execute();
    // A dispatcher holding one of them (claimed as the row was deleted, even after it was read above) hears it at once
    // (right after the commit, which waits for it) rather than at its claims' next renewal, and posts none of those it
    // has not posted yet.
    if (deleted.some((r) => r.claim_token !== null)) await ctx.note({ kind: 'outbox-withdrawn' });
    return ids.length;
  });
}
