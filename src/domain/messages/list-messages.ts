import type { StorageOf } from '../deps.ts';
import type { OutboxEntry, OutboxStatus } from '../notifications/outbox-entry.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { summaryOf, type AttachmentSummary } from './attachment.ts';
import type { Message } from './message.ts';

export interface ThreadMessage extends Message {
  /**
   * Each notification of the message with its delivery state: in full for staff (address, outbox status); for the
   * requester, on their own messages only, the recipient's name and a plain state.
   */
  mail: MailLine[];
  /** The message's attachments (names, sizes, declared types; never the bytes); [] when none. */
  attachments: AttachmentSummary[];
  /**
   * A message that came by mail: what was trimmed from that mail (quoted history, signature), for "show trimmed
   * text"; staff see it on every such message, a requester on their own only; null otherwise.
   */
  trimmed: string | null;
}

/**
 * One notification mail, with the people it copies (staff: addresses; a requester: names). Staff also get its outbox id, when it was queued and the failed mail it replaces (sent again
 * to a corrected address), so the thread tells the whole story.
 */
export type MailLine =
  | { id: number; to: string; cc: string[]; status: OutboxStatus; createdAt: string; resentFromId: number | null }
  | { to: string; cc: string[]; status: PlainMailState };

/** A notification mail as staff see it: addresses, its outbox id, when it was queued and what it replaces. */
export function staffMailLine(e: OutboxEntry): Extract<MailLine, { id: number }> {
  return {
    id: e.id,
    to: e.toAddress,
    cc: e.cc.map((c) => c.address),
    status: e.status,
    createdAt: e.createdAt,
    resentFromId: e.resentFromId,
  };
}

/** What a requester is told about their own message's mail. */
export type PlainMailState = 'waiting' | 'sent' | 'failed';

function plainState(status: OutboxStatus): PlainMailState {
  return status === 'sent' ? 'sent' : status === 'failed' ? 'failed' : 'waiting';
}

/**
 * The thread, oldest first. A requester never receives internal notes, nor who else was mailed. Staff reading it have
 * seen the ticket's activity (the queue's unread marker goes): marked before the thread is read, so activity that
 * comes meanwhile stays unread rather than unseen.
 */
export async function listMessages(
  deps: { storage: StorageOf<'attachments' | 'messages' | 'outbox' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
): Promise<ThreadMessage[]> {
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  const staff = isStaff(actor);
  if (staff) await deps.storage.tickets.markTicketSeen(ticket.id, actor.id);
  const messages = await deps.storage.messages.listMessages(ticket.id, staff);
  const visible = staff ? messages : messages.filter((m) => !m.internal);
  const entries = await deps.storage.outbox.outboxOfMessages(
    visible.filter((m) => staff || m.authorId === actor.id).map((m) => m.id),
  );
  const files = await deps.storage.attachments.attachmentsOfMessages(visible.map((m) => m.id));
  const byMail = visible.filter((m) => m.source === 'email' && (staff || m.authorId === actor.id)).map((m) => m.id);
  const trimmed = new Map((await deps.storage.messages.trimmedOfMessages(byMail)).map((t) => [t.messageId, t.trimmed]));
  return visible.map((m) => ({
    ...m,
    attachments: files.filter((a) => a.messageId === m.id).map(summaryOf),
    trimmed: trimmed.get(m.id) ?? null,
    mail: entries
      .filter((e) => e.messageId === m.id)
      .map((e) =>
        staff ? staffMailLine(e) : { to: e.toName, cc: e.cc.map((c) => c.name), status: plainState(e.status) },
      ),
  }));
}
