import type { MailAddress, ParsedMail } from '../../ports/inbound.ts';
import type { Uses } from '../../ports/storage.ts';
import type { Deps } from '../deps.ts';
import { readReplyAddress } from '../notifications/reply-address.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isStaff, normalizeEmail, type Actor } from '../users/user.ts';
import type { InboundReason } from './inbound-mail.ts';
import {
  domainOf,
  ourReferences,
  subjectTicketNumber,
  ticketInNotificationId,
  ticketOfThreadId,
} from './mail-facts.ts';

/**
 * Which ticket a reply belongs to, in order of evidence:
 * 1. our Message-IDs in In-Reply-To/References (a notification's Message-ID, or the ticket's thread id);
 * 2. a signed reply address `reply+<ticket>.<recipient>.<signature>@<mail domain>` among the recipients (envelope,
 *    To, Cc), whose recipient must be the sender;
 * 3. `[#number]` in the subject, only when nothing above matched.
 * Evidence that disagrees (two tickets) or a reply address of ours that does not verify refuses the match; a token
 * given to someone else is marked (`othersToken`) for the caller's identity rule; a refused match is held for a person to decide. Who wrote is always the From address; Reply-To and
 * any header of ours in the mail (X-Parley-…) are never read.
 */
export type Match =
  | {
      kind: 'ticket';
      ticketNumber: number;
      via: 'message-id' | 'token' | 'subject';
      /** The mail carries a reply address given to another person than its (known) sender: a reply-all. */
      othersToken?: true;
    }
  | { kind: 'none' }
  | { kind: 'refuse'; reason: InboundReason; text: string; ticketNumber: number | null };

export function recipientsOf(mail: Pick<ParsedMail, 'to' | 'cc'>, envelopeTo: readonly string[]): string[] {
  const all = [
    ...envelopeTo,
    ...mail.to.map((a: MailAddress) => a.address),
    ...mail.cc.map((a: MailAddress) => a.address),
  ];
  return [...new Set(all.slice(0, 200).map((a) => normalizeEmail(a)))];
}

export async function matchReply(
  deps: Pick<Deps, 'signer' | 'site'> & { storage: Uses<{ outbox: 'outboxByMessageIds' }> },
  mail: ParsedMail,
  envelopeTo: readonly string[],
  sender: Actor | undefined,
): Promise<Match> {
  const domain = deps.site.mailDomain.toLowerCase();
  const fromIds = new Set<number>();
  // 1. Message-IDs: the thread id (which names the ticket) or a notification's (looked up below, when it can decide).
  const refs = ourReferences(mail, domain);
  const notificationIds: string[] = [];
  for (const id of refs) {
    const ticket = ticketOfThreadId(id, domain);
    if (ticket !== undefined) fromIds.add(ticket);
    else notificationIds.push(id);
  }

  // 2. Reply tokens among the recipients at our mail domain.
  const fromTokens = new Set<number>();
  let othersToken = false;
  for (const address of recipientsOf(mail, envelopeTo)) {
    if (!/^reply\+/i.test(address) || domainOf(address) !== domain) continue;
    const token = readReplyAddress(deps.signer, address);
    if (!token) {
      return {
        kind: 'refuse',
        reason: 'forged-token',
        text: `The reply address ${address} is not one this install signed (altered or forged).`,
        ticketNumber: null,
      };
    }
    // An unknown sender is held anyway (the caller says so); a known one who is not the person the address was given
    // to is marked: the caller posts it only from the ticket's requester or a copy whose sender is verified (a
    // reply-all), and holds it otherwise.
    if (sender && token.recipientId !== sender.id) othersToken = true;
    fromTokens.add(token.ticketNumber);
  }

  // Each notification's Message-ID carries its ticket's number. When every one the mail refers to carries the ticket
  // its signed reply address names, the outbox could only confirm that ticket (or find nothing, for a forged or
  // removed id): it is not read, and the match is by the token. Otherwise the outbox says which tickets they are.
  const [tokenTicket] = fromTokens;
  const confirmsToken =
    fromTokens.size === 1 && notificationIds.every((id) => ticketInNotificationId(id, domain) === tokenTicket);
  if (!confirmsToken)
    for (const entry of await deps.storage.outbox.outboxByMessageIds(notificationIds))
      if (entry.ticketId !== null) fromIds.add(entry.ticketId);

  const tickets = new Set([...fromIds, ...fromTokens]);
  if (tickets.size > 1) {
    const list = [...tickets].sort((a, b) => a - b);
    return {
      kind: 'refuse',
      reason: 'conflicting-tickets',
      text: `The mail refers to several tickets (${list.map((n) => `#${n}`).join(', ')}): a person has to choose.`,
      ticketNumber: null,
    };
  }
  const [only] = tickets;
  if (only !== undefined) {
    const via = fromIds.has(only) ? 'message-id' : 'token';
    return othersToken
      ? { kind: 'ticket', ticketNumber: only, via, othersToken }
      : { kind: 'ticket', ticketNumber: only, via };
  }

  // 3. The subject tag, weakest of all (anyone can type it): the caller still requires the sender to be a participant.
  const tagged = subjectTicketNumber(mail.subject);
  if (tagged !== undefined) return { kind: 'ticket', ticketNumber: tagged, via: 'subject' };
  return { kind: 'none' };
}

/** Who may write into a ticket by mail: its requester, its responsible technician, the staff of its group. */
export function isParticipant(user: Actor, ticket: Ticket): boolean {
  if (!user.active) return false;
  if (ticket.requesterId === user.id || ticket.responsibleId === user.id || ticket.copyIds.includes(user.id))
    return true;
  return isStaff(user) && ticket.groupId !== null && user.groupIds.includes(ticket.groupId);
}
