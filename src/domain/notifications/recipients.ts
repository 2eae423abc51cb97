import type { Uses } from '../../ports/storage.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isStaff, type User } from '../users/user.ts';

/**
 * Who is told about a message: the requester when staff wrote; the responsible technician when anyone else wrote
 * (or every technician of the ticket's group while nobody active is responsible), and the requester too when someone
 * the ticket copies wrote; always the people the ticket copies. Never the author, never an inactive user, nobody twice.
 */
export async function notificationRecipients(
  repos: Uses<{ people: 'findUserById' | 'staffOfGroup'; tickets: 'ticketCopies' }>,
  ticket: Ticket,
  author: User,
): Promise<User[]> {
  let candidates: User[] = [];
  const requester = () => repos.people.findUserById(ticket.requesterId).then((u) => (u ? [u] : []));
  if (isStaff(author) && author.id !== ticket.requesterId) {
    candidates = await requester();
  } else {
    const responsible =
      ticket.responsibleId === null ? undefined : await repos.people.findUserById(ticket.responsibleId);
    // A responsible technician who has left is no one to tell: the group is, as while nobody is responsible.
    if (responsible?.active) candidates = [responsible];
    else if (ticket.groupId !== null) candidates = [...(await repos.people.staffOfGroup(ticket.groupId))];
    if (author.id !== ticket.requesterId) candidates.push(...(await requester()));
  }
  if (ticket.copyIds.length > 0) candidates.push(...(await repos.tickets.ticketCopies(ticket.id)));
  const seen = new Set<number>();
  return candidates.filter((u) => u.active && u.id !== author.id && !seen.has(u.id) && seen.add(u.id));
}

/** Where a recipient opens the ticket: the portal for requesters, the desk for staff. */
export function ticketUrl(publicUrl: string, ticket: Pick<Ticket, 'number'>, recipient: Pick<User, 'role'>): string {
  return `${publicUrl}/${isStaff(recipient) ? 'desk' : 'portal'}/tickets/${ticket.number}`;
}
