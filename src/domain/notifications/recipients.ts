import type { Repositories } from '../../ports/storage.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isStaff, type User } from '../users/user.ts';

/**
 * Who is told about a message: the requester when staff wrote; the responsible technician when the requester wrote,
 * or every technician of the ticket's group while nobody (active) is responsible. Never the author, never an inactive user.
 */
export async function notificationRecipients(
  repos: Pick<Repositories, 'findUserById' | 'staffOfGroup'>,
  ticket: Ticket,
  author: User,
): Promise<User[]> {
  let candidates: User[] = [];
  if (isStaff(author) && author.id !== ticket.requesterId) {
    const requester = await repos.findUserById(ticket.requesterId);
    candidates = requester ? [requester] : [];
  } else {
    const responsible = ticket.responsibleId === null ? undefined : await repos.findUserById(ticket.responsibleId);
    // A responsible technician who has left is no one to tell: the group is, as while nobody is responsible.
    if (responsible?.active) candidates = [responsible];
    else if (ticket.groupId !== null) candidates = await repos.staffOfGroup(ticket.groupId);
  }
  return candidates.filter((u) => u.active && u.id !== author.id);
}

/** Where a recipient opens the ticket: the portal for requesters, the desk for staff. */
export function ticketUrl(publicUrl: string, ticket: Pick<Ticket, 'number'>, recipient: Pick<User, 'role'>): string {
  return `${publicUrl}/${isStaff(recipient) ? 'desk' : 'portal'}/tickets/${ticket.number}`;
}
