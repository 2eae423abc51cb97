import type { Uses } from '../../ports/storage.ts';
import type { CopiesMode } from '../notifications/mailings.ts';
import type { Ticket } from '../tickets/ticket.ts';

/**
 * How the ticket's team sends its mail: from which mailbox (null: the default) and with copies in Cc or apart. Read
 * with the ticket (`findTicketByNumber`) when it was, else from its group; no group: the defaults.
 */
export async function teamMail(
  repos: Uses<{ people: 'findGroup' }>,
  ticket: Ticket,
): Promise<{ copiesMode: CopiesMode; mailboxId: number | null }> {
  if (ticket.groupCopiesMode && ticket.groupMailboxId !== undefined)
    return { copiesMode: ticket.groupCopiesMode, mailboxId: ticket.groupMailboxId };
  const group = ticket.groupId === null ? undefined : await repos.people.findGroup(ticket.groupId);
  return { copiesMode: group?.copiesMode ?? 'cc', mailboxId: group?.mailboxId ?? null };
}
