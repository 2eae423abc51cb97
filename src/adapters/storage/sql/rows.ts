import type { Selectable } from 'kysely';
import type { MailAddress, OutboxEntry, OutboxStatus } from '../../../domain/notifications/outbox-entry.ts';
import type { EmailTemplate } from '../../../domain/templates/email-template.ts';
import type { Locale } from '../../../domain/locale.ts';
import type { Role, User } from '../../../domain/users/user.ts';
import type { ApiToken } from '../../../domain/users/api-token.ts';
import type { Page } from '../../../ports/storage/common.ts';
import type { Database } from './schema.ts';

/**
 * Booleans are written as 1 and 0: SQLite has no boolean type (and better-sqlite3 refuses JS booleans), and
 * PostgreSQL reads '1'/'0' as true/false for its boolean columns. Rows come back as 0/1 or true/false: Boolean().
 */
export function bool(value: boolean): number {
  return value ? 1 : 0;
}

/** Ids are 32-bit on PostgreSQL. */
const MAX_ID = 2_147_483_647;

/** Cursors are opaque to callers: the last id seen, base64url-encoded. */
export function encodeCursor(id: number): string {
  return Buffer.from(String(id)).toString('base64url');
}

export function decodeCursor(cursor: string | null | undefined): number | undefined {
  if (!cursor) return undefined;
  const id = Number(Buffer.from(cursor, 'base64url').toString());
  return Number.isSafeInteger(id) && id > 0 && id <= MAX_ID ? id : undefined;
}

export function page<T extends { id: number }>(rows: T[], limit: number): Page<T> {
  const more = rows.length > limit;
  const items = more ? rows.slice(0, limit) : rows;
  return { items, nextCursor: more ? encodeCursor(items[items.length - 1]!.id) : null };
}

export function toUser(r: Selectable<Database['app_user']>): User {
  return {
    id: r.id,
    email: r.email,
    name: r.name,
    role: r.role as Role,
    locale: r.locale as Locale,
    timeZone: r.time_zone,
    active: Boolean(r.active),
    createdAt: r.created_at,
    erasedAt: r.erased_at ?? null,
  };
}

export function toApiToken(
  r: Pick<
    Selectable<Database['api_token']>,
    'id' | 'user_id' | 'name' | 'scope' | 'created_at' | 'expires_at' | 'last_used_at'
  >,
): ApiToken {
  return {
    id: r.id,
    userId: r.user_id,
    name: r.name,
    scope: r.scope === 'read' ? 'read' : 'full',
    createdAt: r.created_at,
    expiresAt: r.expires_at,
    lastUsedAt: r.last_used_at,
  };
}

export function toTemplate(
  r: Selectable<Database['email_template']>,
  variants: readonly Omit<Selectable<Database['template_variant']>, 'template_id'>[],
): EmailTemplate {
  return {
    id: r.id,
    name: r.name,
    subject: r.subject,
    html: r.html,
    text: r.text,
    locale: r.locale,
    variants: variants.map((v) => ({ locale: v.locale, subject: v.subject, html: v.html, text: v.text })),
    active: Boolean(r.active),
    createdAt: r.created_at,
    updatedAt: r.updated_at,
  };
}

/** The `cc` column: a JSON list of `{name, address}`; null (or anything else) is none. */
export function ccOf(value: string | null | undefined): MailAddress[] {
  if (!value) return [];
  const list: unknown = JSON.parse(value);
  return Array.isArray(list)
    ? list.filter((a): a is MailAddress => typeof a?.address === 'string' && typeof a?.name === 'string')
    : [];
}

export function toOutbox(r: Selectable<Database['outbox_entry']>): OutboxEntry {
  return {
    id: r.id,
    ticketId: r.ticket_id,
    messageId: r.message_id,
    recipientId: r.recipient_id,
    toAddress: r.to_address,
    toName: r.to_name,
    cc: ccOf(r.cc),
    mailboxId: r.mailbox_id ?? null,
    subject: r.subject,
    html: r.html,
    text: r.text,
    messageIdHeader: r.message_id_header,
    threadId: r.thread_id,
    replyTo: r.reply_to,
    status: r.status as OutboxStatus,
    attemptCount: r.attempt_count,
    attemptsSince: r.attempts_since,
    nextAttemptAt: r.next_attempt_at,
    lastReply: r.last_reply,
    createdAt: r.created_at,
    updatedAt: r.updated_at,
    sentAt: r.sent_at,
    resentFromId: r.resent_from_id ?? null,
    erasedAt: r.erased_at ?? null,
    ccErasedAt: r.cc_erased_at ?? null,
  };
}

export function bytesOf(value: unknown): Uint8Array {
  const raw = value as Uint8Array;
  return new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength);
}
