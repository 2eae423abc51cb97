import type { StorageOf } from '../deps.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { visibleTicket } from './ticket-access.ts';
import type { TicketEventKind } from './ticket-event.ts';

/** A change of a ticket's life as the thread shows it: people and teams named as they are now. */
export interface ThreadEvent {
  id: number;
  at: string;
  kind: TicketEventKind;
  /** Who made the change; null: the system (an upgrade moving the ticket to the default team). */
  actor: { id: number; name: string } | null;
  /** A status code (kind `status`), or the name of the team or person ('' when deleted since); null: none. */
  from: string | null;
  to: string | null;
}

/**
 * The recorded changes of a ticket, oldest first: all of them for staff, the status changes only for a requester.
 * Names are read now, never stored with the event, so an erased person appears under their pseudonym.
 */
export async function listTicketEvents(
  deps: { storage: StorageOf<'people' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
): Promise<ThreadEvent[]> {
  const ticket = await visibleTicket(deps.storage, actor, ticketNumber);
  const all = await deps.storage.tickets.ticketEvents(ticket.id);
  const events = isStaff(actor) ? all : all.filter((e) => e.kind === 'status');
  const users = new Map<number, string | null>();
  const groups = new Map<number, string | null>();
  const userName = async (id: number) => {
    if (!users.has(id)) users.set(id, (await deps.storage.people.findUserById(id))?.name ?? null);
    return users.get(id)!;
  };
  const groupName = async (id: number) => {
    if (!groups.has(id)) groups.set(id, (await deps.storage.people.findGroup(id))?.name ?? null);
    return groups.get(id)!;
  };
  const valueOf = async (kind: TicketEventKind, value: string | null) => {
    if (value === null || kind === 'status') return value;
    // '' names what no longer exists (a deleted team): the web words it.
    return (kind === 'team' ? await groupName(Number(value)) : await userName(Number(value))) ?? '';
  };
  const shown: ThreadEvent[] = [];
  for (const e of events) {
    const actorName = e.actorId === null ? null : await userName(e.actorId);
    shown.push({
      id: e.id,
      at: e.at,
      kind: e.kind,
      actor: e.actorId === null ? null : { id: e.actorId, name: actorName ?? '' },
      from: await valueOf(e.kind, e.from),
      to: await valueOf(e.kind, e.to),
    });
  }
  return shown;
}
