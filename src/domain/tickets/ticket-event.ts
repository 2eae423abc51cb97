/**
 * What a ticket's life records besides its messages: a change of status, team, responsible, or of the people it copies
 * (one event per person added or removed). Values are statuses or ids, never names: the thread names people and teams
 * as they are when it is read (an erased requester under their pseudonym).
 */
export const TICKET_EVENT_KINDS = ['status', 'team', 'responsible', 'copy_added', 'copy_removed'] as const;
export type TicketEventKind = (typeof TICKET_EVENT_KINDS)[number];

export interface NewTicketEvent {
  ticketId: number;
  /** Who made the change; null: the system (an upgrade moving a ticket to the default team). */
  actorId: number | null;
  kind: TicketEventKind;
  /** A status, or a group or user id as text; null: none. */
  from: string | null;
  to: string | null;
}

export interface TicketEvent extends NewTicketEvent {
  id: number;
  at: string;
}
