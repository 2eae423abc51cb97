import { sql, type RawBuilder } from 'kysely';
import type { NewOutboxEntry } from '../../../domain/notifications/outbox-entry.ts';
import type { NewMessage } from '../../../ports/storage/messages.ts';
import { bool } from './rows.ts';

export function messageRow(m: NewMessage): Record<string, unknown> {
  return {
    ticket_id: m.ticketId,
    author_id: m.authorId,
    text: m.text,
    html: m.html ?? null,
    internal: bool(m.internal),
    send_email: bool(m.sendEmail),
    source: m.source,
    time_spent_minutes: m.timeSpentMinutes,
    time_spent_date: m.timeSpentDate,
    created_at: m.createdAt,
  };
}

export function outboxRow(e: NewOutboxEntry, at: string): Record<string, unknown> {
  return {
    ticket_id: e.ticketId,
    message_id: e.messageId,
    recipient_id: e.recipientId,
    to_address: e.toAddress,
    to_name: e.toName,
    // Always present (null when none): the prepared insert is built from these keys.
    cc: e.cc?.length ? JSON.stringify(e.cc.map(({ name, address }) => ({ name, address }))) : null,
    mailbox_id: e.mailboxId ?? null,
    subject: e.subject,
    html: e.html,
    text: e.text,
    message_id_header: e.messageIdHeader,
    thread_id: e.threadId,
    reply_to: e.replyTo,
    status: 'queued',
    next_attempt_at: at,
    attempts_since: at,
    created_at: at,
    updated_at: at,
  };
}

/** The activity times a new message moves: both for a public message, the staff's only for an internal note. */
export function touchColumns(m: NewMessage): RawBuilder<unknown> {
  return m.internal
    ? sql`last_activity_at = ${m.createdAt}`
    : sql`last_activity_at = ${m.createdAt}, public_activity_at = ${m.createdAt}`;
}
