import { staffMailLine, type ThreadMessage } from '../../domain/messages/list-messages.ts';
import type { Message } from '../../domain/messages/message.ts';
import { deliveryResultOf } from '../../domain/notifications/delivery-results.ts';
import type { OutboxAttempt, OutboxEntry } from '../../domain/notifications/outbox-entry.ts';
import type { Ticket } from '../../domain/tickets/ticket.ts';
import { isStaff, type Actor } from '../../domain/users/user.ts';

/**
 * API shapes of domain records (the response schemas then drop anything unlisted). With the viewer: a requester sees
 * the time of the last thing they can see as `lastActivityAt` (an internal note does not move it); staff see all.
 */
export function presentTicket(t: Ticket, viewer?: Pick<Actor, 'role'>) {
  return {
    ...t,
    lastActivityAt: viewer && !isStaff(viewer) ? t.publicActivityAt : t.lastActivityAt,
    requester: { id: t.requesterId, name: t.requesterName },
    registeredBy: { id: t.registeredById, name: t.registeredByName },
    // A missing name: "" (what the response schema's `type: 'string'` always made of null).
    group: t.groupId === null ? null : { id: t.groupId, name: t.groupName ?? '' },
    responsible: t.responsibleId === null ? null : { id: t.responsibleId, name: t.responsibleName ?? '' },
  };
}

/** A requester never receives staff-only fields (the time spent). */
export function presentMessage(m: Message | ThreadMessage, viewer?: Pick<Actor, 'role'>) {
  const shown = { ...m, author: { id: m.authorId, name: m.authorName, role: m.authorRole } };
  if (viewer && !isStaff(viewer)) {
    const { timeSpentMinutes: _minutes, timeSpentDate: _date, ...rest } = shown;
    return rest;
  }
  return shown;
}

/** A notification mail as staff see it in the thread. */
export const mailLineOf = staffMailLine;

/** `lastReplyCode`/`lastReplyParams`: the last reply as a code the web translates (see delivery-results.ts). */
export function presentOutboxEntry(e: OutboxEntry) {
  const last = e.lastReply === null ? null : deliveryResultOf(e.lastReply);
  return {
    ...e,
    ticketNumber: e.ticketId,
    to: e.toAddress,
    cc: e.cc.map((c) => c.address),
    lastReplyCode: last?.code ?? null,
    lastReplyParams: last?.params ?? null,
  };
}

/** An attempt with its reply as a code and parameters (`reply` stays the stored text). */
export function presentOutboxAttempt(a: OutboxAttempt) {
  const result = a.reply === null ? null : deliveryResultOf(a.reply);
  return { ...a, code: result?.code ?? null, params: result?.params ?? null };
}
