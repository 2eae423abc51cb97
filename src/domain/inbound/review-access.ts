import { DomainError } from '../errors.ts';
import { canSeeTicket } from '../tickets/ticket-access.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { InboundStatus } from './inbound-mail.ts';

/**
 * The "needs review" list: mails held (strangers, forged or misused reply addresses, conflicting or missing matches,
 * rate-limited senders, unverified bounces) and the others for reference. Staff only, and each mail only to those who
 * may review it (`mayReviewInboundMail`): a mail naming a ticket to those who can see that ticket, a mail naming none
 * to the technicians of the support mailbox's team (parameter 9016); administrators see every mail. Anyone else is
 * answered as if the mail did not exist.
 */
export const REVIEWABLE: readonly InboundStatus[] = ['held', 'loop'];

export function requireStaff(actor: Actor) {
  if (!isStaff(actor)) throw new DomainError('FORBIDDEN', 'Only technicians and administrators review inbound mail.');
}

/**
 * Whether a staff member may see (and decide on) an inbound mail: `ticket` is the ticket it names (posted to, or the
 * one the matcher found when it was held), null when it names none; `team` is the support mailbox's team.
 */
export function mayReviewInboundMail(actor: Actor, ticket: Ticket | null, team: number | null): boolean {
  if (!actor.active || !isStaff(actor)) return false;
  if (actor.role === 'admin') return true;
  if (ticket) return canSeeTicket(actor, ticket);
  return team !== null && actor.groupIds.includes(team);
}
