import type { Ticket } from '../../domain/tickets/ticket.ts';
import type { NewTicketEvent, TicketEvent } from '../../domain/tickets/ticket-event.ts';
import type { TicketStatus } from '../../domain/tickets/ticket-status.ts';
import type { TicketOrder } from '../../domain/tickets/ticket-order.ts';
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
  /** Only tickets with activity the viewer has not seen (see `markTicketSeen`). */
  unseen?: boolean;
  /** What a search box holds, taken apart by the domain (`domain/tickets/ticket-search.ts`). */
  search?: TicketSearch;
}

/**
 * A search: a ticket number, the words a title or a message's text holds (each word a prefix; all of them in one
 * title or one message), or a piece of the requester's name or address. A ticket matching any of the three is found.
 */
export interface TicketSearch {
  number: number | null;
  words: readonly string[];
  /** Lowered; matched anywhere in the requester's name or address. */
  requester: string;
}

/** A ticket of a listing, with whether the viewer has seen its latest activity. */
export interface ListedTicket extends Ticket {
  unseen: boolean;
}

/** Tickets and the people they copy; each change is announced to the ticket's live pages once committed. */
export interface TicketRepository {
  createTicket(ticket: NewTicket, at: string): Promise<Ticket>;
  findTicketByNumber(number: number): Promise<Ticket | undefined>;
  /**
   * A page of the tickets the scope allows, in `order`, after the cursor of the page before it (keyset: the sort
   * value and number of the last ticket shown); newest first by default. Unseen is judged for `viewerId` (without
   * one, nothing is unseen).
   */
  listTickets(
    scope: TicketScope,
    filter: TicketFilter,
    page: PageRequest & { order?: TicketOrder; viewerId?: number },
  ): Promise<Page<ListedTicket>>;
  /** The viewer has seen the ticket's activity up to now (its thread was read). */
  markTicketSeen(ticketId: number, userId: number): Promise<void>;
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
  /** Sets the status to `to` only if it is still `from`; false when it was not (another change came first). */
  moveTicketStatus(id: number, from: string, to: string, at: string): Promise<boolean>;
  /**
   * Erasure: the tickets a requester asked for get `title` and an empty description and lose their contact name; the
   * requester leaves every ticket that copies them. Returns the ids of their tickets (announced).
   */
  eraseTicketsOfRequester(requesterId: number, title: string, at: string): Promise<number[]>;
}
