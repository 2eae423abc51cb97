import type { Ticket } from '../../domain/tickets/ticket.ts';
import type { NewTicketEvent, TicketEvent } from '../../domain/tickets/ticket-event.ts';
import type { TicketStatus } from '../../domain/tickets/ticket-status.ts';
import type { User } from '../../domain/users/user.ts';
import type { Page, PageRequest, TicketScope } from './common.ts';

export interface NewTicket {
  title: string;
  description: string;
  requesterId: number;
  contactName: string | null;
  registeredById: number;
  groupId: number | null;
  responsibleId: number | null;
  demandType: string | null;
  activity: string | null;
  relatedService: string | null;
  portfolio: string | null;
  category: string | null;
}

export type TicketChanges = Partial<
  Pick<
    Ticket,
    | 'title'
    | 'status'
    | 'groupId'
    | 'responsibleId'
    | 'demandType'
    | 'activity'
    | 'relatedService'
    | 'portfolio'
    | 'category'
  >
>;

export interface TicketFilter {
  status?: TicketStatus;
  responsibleId?: number;
  unassigned?: boolean;
  groupId?: number;
}

/** Tickets and the people they copy; each change is announced to the ticket's live pages once committed. */
export interface TicketRepository {
  createTicket(ticket: NewTicket, at: string): Promise<Ticket>;
  findTicketByNumber(number: number): Promise<Ticket | undefined>;
  listTickets(scope: TicketScope, filter: TicketFilter, page: PageRequest): Promise<Page<Ticket>>;
  updateTicket(id: number, changes: TicketChanges, at: string): Promise<void>;
  /** The users a ticket copies (Cc), in the order they were added. */
  ticketCopies(ticketId: number): Promise<User[]>;
  /** Makes the ticket copy exactly these users (keeping when each was first added); announces the ticket. */
  setTicketCopies(ticketId: number, userIds: readonly number[], at: string): Promise<void>;
  countTicketsOfGroup(groupId: number): Promise<number>;
  /** Records changes of tickets' life (status, team, responsible, copies), all at `at`, in the caller's transaction. */
  recordTicketEvents(events: readonly NewTicketEvent[], at: string): Promise<void>;
  /** A ticket's recorded changes, oldest first. */
  ticketEvents(ticketId: number): Promise<TicketEvent[]>;
  /**
   * Tickets without a team join `groupId` (the default team, once named), each move recorded as a `team` event by
   * `actorId`; returns their ids (announced).
   */
  moveTeamlessTickets(groupId: number, actorId: number | null, at: string): Promise<number[]>;
  /**
   * Erasure: the tickets a requester asked for get `title` and an empty description and lose their contact name; the
   * requester leaves every ticket that copies them. Returns the ids of their tickets (announced).
   */
  eraseTicketsOfRequester(requesterId: number, title: string, at: string): Promise<number[]>;
}
