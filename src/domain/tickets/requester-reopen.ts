import type { Tokens } from '../../ports/tokens.ts';
import type { Repositories } from '../../ports/storage.ts';
import { DomainError } from '../errors.ts';
import { PARAM, type REOPEN_FROM, type REOPEN_TO } from '../parameters/parameter-catalogue.ts';
import type { ParameterValues } from '../parameters/parameters.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { recordTicketChanges } from './record-ticket-changes.ts';
import type { Ticket } from './ticket.ts';
import type { TicketStatus } from './ticket-status.ts';

const REOPENED_BY: Record<(typeof REOPEN_FROM)[number], readonly TicketStatus[]> = {
  'waiting-and-resolved': ['waiting', 'resolved'],
  waiting: ['waiting'],
  resolved: ['resolved'],
  none: [],
};

/** A message from the requester's side: the requester, or someone the ticket copies who is not staff. */
export function fromRequesterSide(actor: Actor, ticket: Pick<Ticket, 'requesterId'>): boolean {
  return actor.id === ticket.requesterId || !isStaff(actor);
}

/**
 * A closed ticket takes no more messages from the requester's side: they are told to open a new request. Staff may
 * still write on it (a last word, an internal note).
 */
export function refuseIfClosed(actor: Actor, ticket: Pick<Ticket, 'status' | 'number'>): void {
  if (ticket.status !== 'closed' || isStaff(actor)) return;
  throw new DomainError(
    'TICKET_CLOSED',
    `Ticket #${ticket.number} is closed and takes no more messages: open a new request instead.`,
    { details: { ticketNumber: ticket.number } },
  );
}

/**
 * The status a public message from the requester's side moves the ticket to (parameters 9020 and 9021: by default
 * `waiting` and `resolved` go back to `in_progress`), or undefined when it stays.
 */
export function statusAfterRequesterMessage(
  values: ParameterValues,
  actor: Actor,
  ticket: Pick<Ticket, 'status' | 'requesterId'>,
): TicketStatus | undefined {
  if (!fromRequesterSide(actor, ticket)) return undefined;
  const from = (values.get(PARAM.REOPEN_FROM) ?? 'waiting-and-resolved') as (typeof REOPEN_FROM)[number];
  const to = (values.get(PARAM.REOPEN_TO) ?? 'in_progress') as (typeof REOPEN_TO)[number];
  return (REOPENED_BY[from] ?? []).includes(ticket.status) && ticket.status !== to ? to : undefined;
}

export interface AutomaticStatusChange {
  ticketId: number;
  /** The ticket's number, to name it if it was closed meanwhile. */
  number: number;
  from: TicketStatus;
  to: TicketStatus;
  /** Whose message caused it. */
  by: Actor;
  at: string;
  /** Names the `ticket.changed` webhook event. */
  tokens: Pick<Tokens, 'unique'>;
}

/**
 * A status change nobody made by hand (a requester's message moved the ticket), in the caller's transaction: the
 * one place such a change is written, recorded in the ticket's life as the doing of the message's author. It moves
 * the ticket only from the status the message was checked against: when another change came first (a technician
 * closed it, a second message already reopened it), nothing moves and nothing is recorded twice; a ticket closed
 * meanwhile refuses the message (the caller's transaction, and the message with it, rolls back).
 */
export async function applyAutomaticStatus(tx: Repositories, change: AutomaticStatusChange): Promise<void> {
  if (!(await tx.tickets.moveTicketStatus(change.ticketId, change.from, change.to, change.at))) {
    const now = await tx.tickets.findTicketByNumber(change.number);
    if (now) refuseIfClosed(change.by, now);
    return;
  }
  await recordTicketChanges(
    tx,
    change.tokens,
    change.by.id,
    { id: change.ticketId, status: change.from, groupId: null, responsibleId: null, copyIds: [] },
    { status: change.to },
    change.at,
  );
}
