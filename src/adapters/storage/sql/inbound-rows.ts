import { sql, type RawBuilder, type Selectable } from 'kysely';
import type {
  InboundMail,
  InboundOutcome,
  InboundReason,
  InboundStatus,
} from '../../../domain/inbound/inbound-mail.ts';
import { createHash } from 'node:crypto';
import type { Database } from './schema.ts';

/**
 * The duplicate key an erased mail keeps: a digest of its key (`mid:<Message-ID> from:<address>`, `content:<digest>`
 * without a Message-ID, or an earlier form: `mid:<Message-ID>`, `sha256:<digest of the raw bytes>`), so the same mail
 * arriving again is still known as a copy, and neither the Message-ID nor the address is kept.
 */
export function erasedDedupeKey(key: string): string {
  return `erased:${createHash('sha256').update(key, 'utf8').digest('hex')}`;
}

/** Every column of inbound_mail but the raw bytes (read only on demand). */
export const INBOUND_COLUMNS = [
  'id',
  'received_at',
  'updated_at',
  'status',
  'reason',
  'reason_text',
  'size',
  'sha256',
  'envelope_from',
  'envelope_to',
  'remote_address',
  'helo',
  'message_id_header',
  'duplicate_of',
  'from_address',
  'from_name',
  'subject',
  'ticket_id',
  'message_id',
  'outbox_id',
  'text',
  'trimmed',
  'attempts',
  'resolved_by',
  'resolved_at',
  'attachment_note',
  'raw_removed_at',
  'html',
] as const;

/** Decided mail whose original may be removed after the retention period; held mail keeps it for its reviewer. */
export const RAW_REMOVABLE: readonly InboundStatus[] = ['posted', 'duplicate', 'bounce', 'discarded'];

export function toInbound(
  r: Omit<Selectable<Database['inbound_mail']>, 'raw' | 'dedupe_key' | 'sender_key' | 'lease_token' | 'lease_until'>,
): InboundMail {
  let envelopeTo: string[] = [];
  try {
    const parsed: unknown = JSON.parse(r.envelope_to);
    if (Array.isArray(parsed)) envelopeTo = parsed.map(String);
  } catch {
    envelopeTo = [];
  }
  return {
    id: r.id,
    receivedAt: r.received_at,
    updatedAt: r.updated_at,
    status: r.status as InboundStatus,
    reason: r.reason as InboundReason | null,
    reasonText: r.reason_text,
    size: r.size,
    sha256: r.sha256,
    envelopeFrom: r.envelope_from,
    envelopeTo,
    remoteAddress: r.remote_address,
    helo: r.helo,
    messageIdHeader: r.message_id_header,
    duplicateOf: r.duplicate_of,
    fromAddress: r.from_address,
    fromName: r.from_name,
    subject: r.subject,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    outboxId: r.outbox_id,
    text: r.text,
    trimmed: r.trimmed,
    html: r.html,
    attempts: r.attempts,
    resolvedById: r.resolved_by,
    resolvedAt: r.resolved_at,
    attachmentNote: r.attachment_note,
    rawRemovedAt: r.raw_removed_at,
  };
}

/**
 * The update that gives a mail its outcome if it is still in one of `fromStatuses`, returning its id. `messageId`
 * (PostgreSQL's one-statement post): an expression for the message id, in place of the outcome's; `onlyIf`: a
 * condition it must meet too (that post's author still active).
 */
export function finishStatement(
  id: number,
  o: InboundOutcome,
  fromStatuses: readonly InboundStatus[],
  messageId?: RawBuilder<unknown>,
  onlyIf?: RawBuilder<unknown>,
) {
  if (fromStatuses.length === 0 || fromStatuses.length > 2)
    throw new Error('finishInboundMail takes one or two states to move from.');
  const v = finishValues(o);
  const coalesced = (
    [
      'message_id_header',
      'from_address',
      'from_name',
      'subject',
      'ticket_id',
      'message_id',
      'outbox_id',
      'duplicate_of',
      'text',
      'trimmed',
      'resolved_by',
      'resolved_at',
      'attachment_note',
      'html',
    ] as const
  ).map((c) =>
    c === 'message_id' && messageId
      ? sql`message_id = ${messageId}`
      : sql`${sql.ref(c)} = coalesce(${v[c]}, ${sql.ref(c)})`,
  );
  return sql`update inbound_mail set status = ${v.status}, reason = ${v.reason}, reason_text = ${v.reason_text}, updated_at = ${v.updated_at},
    ${sql.join(coalesced)}
    where id = ${id} and status in (${fromStatuses[0]!}, ${fromStatuses[1] ?? fromStatuses[0]!})${
      onlyIf ? sql` and ${onlyIf}` : sql``
    } returning id`;
}

/** The values finishInboundMail writes for an outcome, in its placeholders' order (fields left out keep theirs). */
export function finishValues(o: InboundOutcome) {
  const keep = <T>(v: T | undefined) => (v === undefined ? null : v);
  return {
    status: o.status,
    reason: o.reason,
    reason_text: o.reasonText,
    updated_at: o.at,
    message_id_header: keep(o.messageIdHeader),
    from_address: keep(o.fromAddress),
    from_name: keep(o.fromName),
    subject: keep(o.subject),
    ticket_id: keep(o.ticketId),
    message_id: keep(o.messageId),
    outbox_id: keep(o.outboxId),
    duplicate_of: keep(o.duplicateOf),
    text: keep(o.text),
    trimmed: keep(o.trimmed),
    resolved_by: keep(o.resolvedById),
    resolved_at: o.resolvedById === undefined || o.resolvedById === null ? null : o.at,
    attachment_note: keep(o.attachmentNote),
    html: keep(o.html),
  };
}
