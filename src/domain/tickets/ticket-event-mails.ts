import type { Repositories } from '../../ports/storage.ts';
import type { Deps } from '../deps.ts';
import { eventMail, eventTemplate, type EventMail, type TicketEvent } from '../notifications/event-mails.ts';
import { mailSignature } from '../signatures/mail-signature.ts';
import { teamMail } from '../mailboxes/team-mail.ts';
import type { Actor, User } from '../users/user.ts';
import type { Ticket } from './ticket.ts';

type MailDeps = Pick<Deps, 'tokens' | 'site' | 'signer'>;

async function mailsOf(
  deps: MailDeps,
  tx: Repositories,
  event: TicketEvent,
  ticket: Ticket,
  recipients: readonly (User | undefined)[],
  said: { authorName: string; createdAt: string },
): Promise<EventMail[]> {
  const people = recipients.filter((u): u is User => u !== undefined && u.active);
  if (people.length === 0) return [];
  const template = await eventTemplate(tx, event);
  if (!template) return [];
  // An event has no author: its mails carry the signature of the ticket's team.
  const signature = await mailSignature(tx, template, null, ticket);
  const { mailboxId } = await teamMail(tx, ticket);
  return people.map((u) =>
    eventMail(deps, event, template, ticket, u, { ...said, text: ticket.description }, signature, mailboxId),
  );
}

async function teamOrResponsible(deps: MailDeps, tx: Repositories, actor: Actor, ticket: Ticket, at: string) {
  if (ticket.responsibleId !== null) {
    if (ticket.responsibleId === actor.id) return [];
    const responsible = await tx.people.findUserById(ticket.responsibleId);
    return mailsOf(deps, tx, 'assigned', ticket, [responsible], { authorName: actor.name, createdAt: at });
  }
  if (ticket.groupId === null) return [];
  const team = (await tx.people.staffOfGroup(ticket.groupId)).filter((u) => u.id !== actor.id);
  return mailsOf(deps, tx, 'team-new', ticket, team, { authorName: ticket.requesterName, createdAt: at });
}

/**
 * Queues, in the caller's transaction, the mails of a ticket just opened: the acknowledgement to its requester, and
 * "assigned to you" to its responsible technician (not when they opened it themselves), or "new request in your
 * team" to the team's technicians while nobody is responsible.
 */
export async function queueOpenedTicketMails(
  deps: MailDeps,
  tx: Repositories,
  actor: Actor,
  ticket: Ticket,
  at: string,
): Promise<void> {
  const requester = await tx.people.findUserById(ticket.requesterId);
  const mails = [
    ...(await mailsOf(deps, tx, 'acknowledgement', ticket, [requester], {
      authorName: ticket.requesterName,
      createdAt: ticket.createdAt,
    })),
    ...(await teamOrResponsible(deps, tx, actor, ticket, at)),
  ];
  if (mails.length > 0) await tx.outbox.queueMails(mails, at);
}

/**
 * Queues the mails of a change: "assigned to you" to a newly responsible technician (not one who took the ticket
 * themselves), and "new request in your team" when the ticket moves to a team while nobody is responsible.
 */
export async function queueChangedTicketMails(
  deps: MailDeps,
  tx: Repositories,
  actor: Actor,
  before: Ticket,
  after: Ticket,
  at: string,
): Promise<void> {
  const newlyResponsible = after.responsibleId !== null && after.responsibleId !== before.responsibleId;
  const movedUnassigned = after.responsibleId === null && after.groupId !== null && after.groupId !== before.groupId;
  if (!newlyResponsible && !movedUnassigned) return;
  const mails = await teamOrResponsible(deps, tx, actor, after, at);
  if (mails.length > 0) await tx.outbox.queueMails(mails, at);
}
