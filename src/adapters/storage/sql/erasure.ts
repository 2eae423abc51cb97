import { sql } from 'kysely';
import { bool, bytesOf, ccOf } from './rows.ts';
import type { InboundMailToErase } from '../../../ports/storage/inbound-mail.ts';
import { touchTicket } from './sql-context.ts';
import type { SqlContext } from './sql-dialect.ts';
import { escapeHtml } from '../../../domain/templates/render-template.ts';

/**
 * The writes of an erasure (GDPR art. 17, LGPD art. 18), one function per repository, which each delegates to its
 * own. Each overwrites or removes what held the person's data; the domain runs them in one transaction
 * (`domain/users/erase-requester.ts`).
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

export async function removeMessagesOfAuthor(
  ctx: SqlContext,
  authorId: number,
  at: string,
): Promise<{ messageIds: number[]; removed: number }> {
  const removed = await ctx.db
    .updateTable('ticket_message')
    .set({ text: '', html: null, removed_at: at })
    .where('author_id', '=', authorId)
    .where('removed_at', 'is', null)
    .returning(['id', 'ticket_id', 'internal'])
    .execute();
  // One announcement per ticket; to staff only when every message removed there was an internal note.
  const staffOnly = new Map<number, boolean>();
  for (const m of removed) staffOnly.set(m.ticket_id, (staffOnly.get(m.ticket_id) ?? true) && Boolean(m.internal));
  for (const [ticketId, internal] of staffOnly) await touchTicket(ctx, ticketId, internal);
  const all = await ctx.db.selectFrom('ticket_message').select('id').where('author_id', '=', authorId).execute();
  return { messageIds: all.map((r) => r.id), removed: removed.length };
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
  const rows: { id: number; status: string }[] =
    addresses.length + messageIds.length + outboxIds.length + chosen.length === 0
      ? []
      : await ctx.db
          .selectFrom('inbound_mail')
          .select(['id', 'status'])
          .where((eb) =>
            eb.or([
              ...(addresses.length > 0
                ? [
                    eb(sql`lower(from_address)`, 'in', addresses),
                    eb(sql`lower(envelope_from)`, 'in', addresses),
                    eb('sender_key', 'in', [...addresses, ...addresses.map((a) => `unverified:${a}`)]),
                  ]
                : []),
              ...(messageIds.length > 0 ? [eb('message_id', 'in', [...messageIds])] : []),
              // Reports about mail to them (bounces): they quote the address and the notification.
              ...(outboxIds.length > 0 ? [eb('outbox_id', 'in', [...outboxIds])] : []),
              ...(chosen.length > 0 ? [eb('id', 'in', [...chosen])] : []),
            ]),
          )
          .execute();
  // Reports about mail that copied them: those that name them (a failed recipient, the original's Cc header).
  rows.push(...(await reportsNaming(ctx, of.namingOn ?? [], addresses)));
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

/** The reports about `outboxIds` whose original, text, subject or reason names one of `addresses`. */
async function reportsNaming(
  ctx: SqlContext,
  outboxIds: readonly number[],
  addresses: readonly string[],
): Promise<{ id: number; status: string }[]> {
  if (outboxIds.length === 0 || addresses.length === 0) return [];
  const reports = await ctx.db
    .selectFrom('inbound_mail')
    .select(['id', 'status', 'raw', 'text', 'subject', 'reason_text'])
    .where('outbox_id', 'in', [...outboxIds])
    .execute();
  return reports
    .filter((r) =>
      [Buffer.from(bytesOf(r.raw)).toString('latin1'), r.text ?? '', r.subject ?? '', r.reason_text ?? ''].some(
        (text) => namesAddress(text, addresses),
      ),
    )
    .map(({ id, status }) => ({ id, status }));
}

/**
 * Mail that copied the erased person keeps going to its recipient, without their address in its Cc; the servers'
 * replies about it (a copy refused at RCPT TO) get `pseudonym` for the address, and the entry is marked
 * (`cc_erased_at`), so that a delivery report arriving later is read knowing someone was taken out. Returns the ids
 * of those entries.
 */
async function eraseFromCc(
  ctx: SqlContext,
  addresses: readonly string[],
  pseudonym: string,
  at: string,
): Promise<number[]> {
  if (addresses.length === 0) return [];
  const rows = await ctx.db
    .selectFrom('outbox_entry')
    .select(['id', 'cc', 'last_reply'])
    // `like` finds every candidate (its wildcards only widen the match); the exact test is below.
    .where((eb) => eb.or(addresses.map((a) => eb(sql`lower(cc)`, 'like', `%"${a.replace(/\\/g, '')}"%`))))
    .execute();
  const edited: number[] = [];
  for (const row of rows) {
    const cc = ccOf(row.cc);
    const kept = cc.filter((c) => !addresses.includes(c.address.toLowerCase()));
    if (kept.length === cc.length) continue;
    edited.push(row.id);
    await ctx.db
      .updateTable('outbox_entry')
      .set({
        cc: kept.length > 0 ? JSON.stringify(kept) : null,
        last_reply: row.last_reply === null ? null : replaceAddresses(row.last_reply, addresses, pseudonym),
        updated_at: at,
        cc_erased_at: at,
      })
      .where('id', '=', row.id)
      .execute();
  }
  if (edited.length === 0) return [];
  const attempts = await ctx.db
    .selectFrom('outbox_attempt')
    .select(['id', 'reply'])
    .where('entry_id', 'in', edited)
    .where('reply', 'is not', null)
    .execute();
  for (const attempt of attempts) {
    const reply = replaceAddresses(attempt.reply!, addresses, pseudonym);
    if (reply !== attempt.reply)
      await ctx.db.updateTable('outbox_attempt').set({ reply }).where('id', '=', attempt.id).execute();
  }
  return edited;
}

/**
 * Whether a mail quotes the person: `${HISTORY}` writes each earlier message under a line that starts with its
 * author's name and " – " (the same in every language; HTML-escaped in the HTML part). Only that line counts, so a
 * name inside a longer one ("Ana" in "Banana – ") or a mail that merely greets them is left alone.
 */
export function quotesPerson(mail: { subject: string; text: string; html: string }, names: readonly string[]): boolean {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return names.some((name) => {
    if (name.trim() === '') return false;
    const plain = new RegExp(`(^|\\n)${escape(name)} – `);
    const html = new RegExp(`(^|[\\n>])${escape(escapeHtml(name))} – `);
    // A subject has the history on one line, its line breaks turned into spaces.
    const subject = new RegExp(`(^|\\s)${escape(name)} – `);
    return plain.test(mail.text) || html.test(mail.html) || subject.test(mail.subject);
  });
}

export async function eraseOutboxOf(
  ctx: SqlContext,
  of: {
    recipientId: number;
    /** Their names (now and before) as mails showed them: a mail that quotes them has one as a history line. */
    names: readonly string[];
    addresses: readonly string[];
    messageIds: readonly number[];
    ticketIds: readonly number[];
  },
  replacement: { address: string; name: string; cancelReply: string },
  at: string,
): Promise<{ ids: number[]; toThem: number[]; ccEdited: number[]; erased: number; cancelled: number }> {
  const addresses = of.addresses.map((a) => a.toLowerCase());
  const ccEdited = await eraseFromCc(ctx, addresses, replacement.address, at);
  const direct = await ctx.db
    .selectFrom('outbox_entry')
    .select(['id', 'recipient_id', 'to_address'])
    .where((eb) =>
      eb.or([
        eb('recipient_id', '=', of.recipientId),
        // By address only the mail that names no recipient: one to another user is theirs, whatever address it had.
        ...(addresses.length > 0
          ? [eb.and([eb('recipient_id', 'is', null), eb(sql`lower(to_address)`, 'in', addresses)])]
          : []),
        ...(of.messageIds.length > 0 ? [eb('message_id', 'in', [...of.messageIds])] : []),
        ...(of.ticketIds.length > 0 ? [eb('ticket_id', 'in', [...of.ticketIds])] : []),
      ]),
    )
    .execute();
  // Mail to anyone that may quote them (`${HISTORY}`: earlier public messages, with their author's name and text):
  // a mail of a ticket where they wrote a public message, from their first message there on, with a history line of
  // theirs.
  const known = new Set(direct.map((r) => r.id));
  const firsts = await ctx.db
    .selectFrom('ticket_message')
    .select(['ticket_id', (eb) => eb.fn.min('created_at').as('first')])
    .where('author_id', '=', of.recipientId)
    .where('internal', '=', bool(false))
    .groupBy('ticket_id')
    .execute();
  const quoting: typeof direct = [];
  for (let i = 0; i < firsts.length; i += 100) {
    const candidates = await ctx.db
      .selectFrom('outbox_entry')
      .select(['id', 'recipient_id', 'to_address', 'subject', 'text', 'html'])
      .where((eb) =>
        eb.or(
          firsts
            .slice(i, i + 100)
            .map((f) => eb.and([eb('ticket_id', '=', f.ticket_id), eb('created_at', '>=', f.first as string)])),
        ),
      )
      .execute();
    for (const r of candidates)
      if (!known.has(r.id) && quotesPerson(r, of.names))
        quoting.push({ id: r.id, recipient_id: r.recipient_id, to_address: r.to_address });
  }
  const rows = [...direct, ...quoting];
  if (rows.length === 0) return { ids: [], toThem: [], ccEdited, erased: 0, cancelled: 0 };
  const ids = rows.map((r) => r.id);
  const toThem = rows
    .filter(
      (r) =>
        r.recipient_id === of.recipientId ||
        (r.recipient_id === null && addresses.includes(r.to_address.toLowerCase())),
    )
    .map((r) => r.id);
  // Mail to other people keeps their address (it is theirs); mail to the erased person loses it.
  await ctx.db
    .updateTable('outbox_entry')
    .set({ subject: '', html: '', text: '', last_reply: null, updated_at: at, erased_at: at })
    .where('id', 'in', ids)
    .execute();
  if (toThem.length > 0)
    await ctx.db
      .updateTable('outbox_entry')
      .set({ to_address: replacement.address, to_name: replacement.name })
      .where('id', 'in', toThem)
      .execute();
  await ctx.db.updateTable('outbox_attempt').set({ reply: null }).where('entry_id', 'in', ids).execute();
  // Mail not sent yet (a claimed one too: the dispatcher's outcome is recorded only while its claim holds) is cancelled.
  const cancelled = await ctx.db
    .updateTable('outbox_entry')
    .set({
      status: 'failed',
      last_reply: replacement.cancelReply,
      next_attempt_at: null,
      lease_until: null,
      claim_token: null,
    })
    .where('id', 'in', ids)
    .where('status', 'in', ['queued', 'deferred', 'sending'])
    .returning('ticket_id')
    .execute();
  // Mail that had failed before says so too: emptied, it must never be retried or sent to a corrected address.
  await ctx.db
    .updateTable('outbox_entry')
    .set({ last_reply: replacement.cancelReply })
    .where('id', 'in', ids)
    .where('status', '=', 'failed')
    .execute();
  for (const ticketId of new Set(cancelled.map((r) => r.ticket_id))) await touchTicket(ctx, ticketId);
  return { ids, toThem, ccEdited, erased: ids.length, cancelled: cancelled.length };
}

/** A character that continues an address before it, and the start of one that continues it after it. */
const GOES_ON_BEFORE = /[\w.!#$%&'*+/=?^`{|}~-]/;
const GOES_ON_AFTER = /^([\w-]|\.\w)/;

/** Whether the mention of an address at `at` (`length` long) in `text` is a whole address, not inside a longer one. */
function wholeAt(text: string, at: number, length: number): boolean {
  return !GOES_ON_BEFORE.test(text[at - 1] ?? ' ') && !GOES_ON_AFTER.test(text.slice(at + length, at + length + 2));
}

/** Whether `text` names one of `addresses` (lower case) as a whole address, not inside a longer one. */
export function namesAddress(text: string, addresses: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return addresses.some((a) => {
    for (let at = lower.indexOf(a); at !== -1; at = lower.indexOf(a, at + 1))
      if (wholeAt(lower, at, a.length)) return true;
    return false;
  });
}

/** `text` with each whole mention of one of `addresses` (lower case; any case in `text`) replaced by `by`. */
export function replaceAddresses(text: string, addresses: readonly string[], by: string): string {
  return addresses.reduce(
    (out, address) =>
      out.replace(
        new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'),
        (match, at: number, whole: string) => (wholeAt(whole, at, match.length) ? by : match),
      ),
    text,
  );
}

/**
 * The webhook deliveries that carry the person: about their tickets, of the messages they wrote (`"author":{"id":…,`
 * in Parley's own JSON), or whose body names one of their addresses, on any ticket or none (`inbound.held` of their
 * mail: sender and subject; `mail.*` of a mail to them: recipient and the server's reason). Their name is in a body
 * only as a message's author or a ticket's requester, which the first two find.
 *
 * Deleted with their attempts, sent or not, rather than scrubbed: a body is the event as it happened, signed when
 * posted under an event id receivers de-duplicate by; a scrubbed body would be a different event under the same id
 * ("send again" would post it), and which fields are personal differs by event. A delivery not sent yet never goes
 * out; one a dispatcher holds right now may still be posted from its copy (its outcome then finds no row).
 */
export async function eraseWebhookDeliveriesOf(
  ctx: SqlContext,
  of: { ticketIds: readonly number[]; authorId: number; addresses: readonly string[] },
): Promise<number> {
  const addresses = of.addresses.map((a) => a.toLowerCase());
  const authored = `"author":{"id":${of.authorId},`;
  return ctx.atomically(async (ctx) => {
    const rows = await ctx.db
      .selectFrom('webhook_delivery')
      .select(['id', 'ticket_id', 'body'])
      .where((eb) =>
        eb.or([
          ...(of.ticketIds.length > 0 ? [eb('ticket_id', 'in', [...of.ticketIds])] : []),
          eb('body', 'like', `%${authored}%`),
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
          namesAddress(r.body, addresses),
      )
      .map((r) => r.id);
    if (ids.length === 0) return 0;
    await ctx.db.deleteFrom('webhook_attempt').where('delivery_id', 'in', ids).execute();
    await ctx.db.deleteFrom('webhook_delivery').where('id', 'in', ids).execute();
    return ids.length;
  });
}
