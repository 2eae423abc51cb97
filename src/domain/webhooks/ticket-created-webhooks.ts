import type { Uses } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { webhookDeliveriesFor } from './webhook-events.ts';

/** Queues `ticket.created` for the endpoints that take it, in the transaction that opens the ticket. */
export async function queueTicketCreatedWebhooks(
  deps: { tokens: Pick<Tokens, 'unique'> },
  tx: Uses<{ webhooks: 'webhookEndpointsFor' | 'queueWebhookDeliveries' }>,
  ticket: Ticket,
  at: string,
): Promise<void> {
  const hooks = await webhookDeliveriesFor(
    { storage: tx, tokens: deps.tokens },
    {
      event: 'ticket.created',
      ticketId: ticket.id,
      staffOnly: false,
      at,
      data: {
        ticket: {
          id: ticket.id,
          number: ticket.number,
          title: ticket.title,
          description: ticket.description,
          status: ticket.status,
          requester: { id: ticket.requesterId, name: ticket.requesterName },
          groupId: ticket.groupId,
          responsibleId: ticket.responsibleId,
          createdAt: ticket.createdAt,
        },
      },
    },
  );
  if (hooks.endpoints > 0) await tx.webhooks.queueWebhookDeliveries(hooks.deliveries({}), at);
}
