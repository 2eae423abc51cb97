import { sql } from 'kysely';
import { bool, ccOf } from './rows.ts';
import { touchTicket } from './sql-context.ts';
import type { SqlContext } from './sql-dialect.ts';
import type { OutboxRepository } from '../../../ports/storage/outbox.ts';
import { quotesPerson, replaceAddresses } from './erasure-text.ts';

/** The outbox's part of an erasure (`sql/erasure.ts` has the others'): the mail to them, about them, and copying them. */

/** What the attempt of a mail being sent when a person in its Cc was erased says. */
export const CC_ERASED_WHILE_SENDING =
  'A person in its Cc was erased while it was being sent: sent again without them (its recipient may get it twice).';

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
  let query = ctx.db
    .selectFrom('outbox_entry')
    .select(['id', 'cc', 'last_reply'])
    // `like` finds every candidate (its wildcards only widen the match); the exact test is below.
    .where((eb) => eb.or(addresses.map((a) => eb(sql`lower(cc)`, 'like', `%"${a.replace(/\\/g, '')}"%`))));
  // Locked as read: a report recorded meanwhile (its bounce in `last_reply`) is seen, not overwritten with the reply
  // read before it.
  if (ctx.dialect.locksRows) query = query.forUpdate();
  const rows = await query.execute();
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
  // One being sent now went out with them in its Cc, and the outcome its dispatcher would record may name them (a
  // copy refused): its claim ends, so that outcome is not recorded, and it is sent again without them. The one on the
  // wire cannot be called back; its recipient may get the mail twice.
  const resent = await ctx.db
    .updateTable('outbox_entry')
    .set({ status: 'queued', next_attempt_at: at, claim_token: null, lease_until: null })
    .where('id', 'in', edited)
    .where('status', '=', 'sending')
    .returning('id')
    .execute();
  if (resent.length > 0) {
    await ctx.db
      .insertInto('outbox_attempt')
      .values(resent.map((r) => ({ entry_id: r.id, at, result: 'interrupted', reply: CC_ERASED_WHILE_SENDING })))
      .execute();
    // Its dispatcher hears it at once rather than at its claim's next renewal: what it has not handed to the SMTP server
    // yet is not sent with them. Queued again, the mail is due now.
    await ctx.note({ kind: 'outbox-withdrawn' });
    await ctx.note({ kind: 'outbox' });
  }
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

type EraseOutboxOf = OutboxRepository['eraseOutboxOf'];

/** `OutboxRepository.eraseOutboxOf`, in the caller's transaction. */
export async function eraseOutboxOf(
  ctx: SqlContext,
  of: Parameters<EraseOutboxOf>[0],
  replacement: Parameters<EraseOutboxOf>[1],
  at: string,
): ReturnType<EraseOutboxOf> {
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
  // theirs; and one of a ticket where a reviewer's public message quotes their mail, from that message on, carrying
  // its first line ("Mail from … (inbound mail #n):", which a history always keeps).
  const known = new Set(direct.map((r) => r.id));
  const firsts = await ctx.db
    .selectFrom('ticket_message')
    .select(['ticket_id', (eb) => eb.fn.min('created_at').as('first')])
    .where('author_id', '=', of.recipientId)
    .where('internal', '=', bool(false))
    .groupBy('ticket_id')
    .execute();
  const quotedMail = of.quotedMail ?? [];
  const notes =
    quotedMail.length === 0
      ? []
      : await ctx.db
          .selectFrom('ticket_message')
          .select(['id', 'ticket_id', 'created_at'])
          .where(
            'id',
            'in',
            quotedMail.map((q) => q.messageId),
          )
          .where('internal', '=', bool(false))
          .execute();
  type Candidate = { subject: string; text: string; html: string };
  const sources: { ticketId: number; from: string; quotes: (mail: Candidate) => boolean }[] = [
    ...firsts.map((f) => ({
      ticketId: f.ticket_id,
      from: f.first as string,
      quotes: (mail: Candidate) => quotesPerson(mail, of.names),
    })),
    ...notes.map((n) => {
      const line = `(inbound mail #${quotedMail.find((q) => q.messageId === n.id)!.mailId}):`;
      return {
        ticketId: n.ticket_id,
        from: n.created_at,
        quotes: (mail: Candidate) => [mail.subject, mail.text, mail.html].some((t) => t.includes(line)),
      };
    }),
  ];
  const quoting: typeof direct = [];
  for (let i = 0; i < sources.length; i += 100) {
    const chunk = sources.slice(i, i + 100);
    const candidates = await ctx.db
      .selectFrom('outbox_entry')
      .select(['id', 'ticket_id', 'created_at', 'recipient_id', 'to_address', 'subject', 'text', 'html'])
      .where((eb) =>
        eb.or(chunk.map((s) => eb.and([eb('ticket_id', '=', s.ticketId), eb('created_at', '>=', s.from)]))),
      )
      .execute();
    for (const r of candidates) {
      if (known.has(r.id)) continue;
      if (!chunk.some((s) => s.ticketId === r.ticket_id && r.created_at >= s.from && s.quotes(r))) continue;
      known.add(r.id);
      quoting.push({ id: r.id, recipient_id: r.recipient_id, to_address: r.to_address });
    }
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
  // A dispatcher sending one of them hears it at once rather than at its claim's next renewal.
  if (cancelled.length > 0) await ctx.note({ kind: 'outbox-withdrawn' });
  return { ids, toThem, ccEdited, erased: ids.length, cancelled: cancelled.length };
}
