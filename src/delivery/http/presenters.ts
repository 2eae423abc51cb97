import type { ThreadMessage } from '../../domain/messages/list-messages.ts';
import type { Message } from '../../domain/messages/message.ts';
import { deliveryResultOf } from '../../domain/notifications/delivery-results.ts';
import type { OutboxAttempt, OutboxEntry } from '../../domain/notifications/outbox-entry.ts';
import type { Ticket } from '../../domain/tickets/ticket.ts';

/** API shapes of domain records (the response schemas then drop anything unlisted). */
export function presentTicket(t: Ticket) {
  return {
    ...t,
    requester: { id: t.requesterId, name: t.requesterName },
    registeredBy: { id: t.registeredById, name: t.registeredByName },
    group: t.groupId === null ? null : { id: t.groupId, name: t.groupName },
    responsible: t.responsibleId === null ? null : { id: t.responsibleId, name: t.responsibleName },
  };
}

export function presentMessage(m: Message | ThreadMessage) {
  return { ...m, author: { id: m.authorId, name: m.authorName, role: m.authorRole } };
}

/** `lastReplyCode`/`lastReplyParams`: the last reply as a code the web translates (see delivery-results.ts). */
export function presentOutboxEntry(e: OutboxEntry) {
  const last = e.lastReply === null ? null : deliveryResultOf(e.lastReply);
  return { ...e, ticketNumber: e.ticketId, to: e.toAddress, lastReplyCode: last?.code ?? null, lastReplyParams: last?.params ?? null };
}

/** An attempt with its reply as a code and parameters (`reply` stays the stored text). */
export function presentOutboxAttempt(a: OutboxAttempt) {
  const result = a.reply === null ? null : deliveryResultOf(a.reply);
  return { ...a, code: result?.code ?? null, params: result?.params ?? null };
}
