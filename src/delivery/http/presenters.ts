import type { ThreadMessage } from '../../domain/messages/list-messages.ts';
import type { Message } from '../../domain/messages/message.ts';
import type { OutboxEntry } from '../../domain/notifications/outbox-entry.ts';
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

export function presentOutboxEntry(e: OutboxEntry) {
  return { ...e, ticketNumber: e.ticketId, to: e.toAddress };
}
