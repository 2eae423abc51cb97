import type { Repositories } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import { webhookDeliveriesFor } from '../webhooks/webhook-events.ts';
import type { Ticket } from './ticket.ts';
import type { NewTicketEvent } from './ticket-event.ts';

/** What a change may move that a ticket's life records. */
export interface LifeChanges {
  status?: string;
  groupId?: number | null;
  responsibleId?: number | null;
  /** The full list of the people the ticket copies after the change. */
  copyIds?: readonly number[];
}

const idText = (id: number | null | undefined) => (id == null ? null : String(id));

/**
 * Records, in the caller's transaction (with the `ticket.changed` webhooks), each change of `before`'s status, team, responsible and copies that `after`
 * makes, by `actorId` (null: the system). Fields left out, or equal to what they were, record nothing. Every path that
 * changes these fields calls it in the same transaction as the change.
 */
export async function recordTicketChanges(
  tx: Pick<Repositories, 'tickets' | 'webhooks'>,
  tokens: Pick<Tokens, 'unique'>,
  actorId: number | null,
  before: Pick<Ticket, 'id' | 'status' | 'groupId' | 'responsibleId' | 'copyIds'>,
  after: LifeChanges,
  at: string,
): Promise<void> {
  const ticketId = before.id;
  const events: NewTicketEvent[] = [];
  const push = (kind: NewTicketEvent['kind'], from: string | null, to: string | null) =>
    events.push({ ticketId, actorId, kind, from, to });
  if (after.status !== undefined && after.status !== before.status) push('status', before.status, after.status);
  if (after.groupId !== undefined && after.groupId !== before.groupId)
    push('team', idText(before.groupId), idText(after.groupId));
  if (after.responsibleId !== undefined && after.responsibleId !== before.responsibleId)
    push('responsible', idText(before.responsibleId), idText(after.responsibleId));
  if (after.copyIds !== undefined) {
    const was = new Set(before.copyIds);
    const now = new Set(after.copyIds);
    for (const id of after.copyIds) if (!was.has(id)) push('copy_added', null, String(id));
    for (const id of before.copyIds) if (!now.has(id)) push('copy_removed', String(id), null);
  }
  await tx.tickets.recordTicketEvents(events, at);
  if (events.length === 0) return;
  // `ticket.changed` for the webhooks that take it: a change of team, responsible or copies is for staff only.
  const hooks = await webhookDeliveriesFor(
    { storage: tx, tokens },
    {
      event: 'ticket.changed',
      ticketId,
      staffOnly: events.some((e) => e.kind !== 'status'),
      at,
      data: { ticket: { id: ticketId }, actorId, changes: events.map(({ kind, from, to }) => ({ kind, from, to })) },
    },
  );
  if (hooks.endpoints > 0) await tx.webhooks.queueWebhookDeliveries(hooks.deliveries({}), at);
}
