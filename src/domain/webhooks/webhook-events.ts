import type { Uses } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import type { NewWebhookDelivery, WebhookEvent } from './webhook.ts';

/** An event as Parley reports it: `staffOnly` events (an internal note) never reach a "public events only" endpoint. */
export interface WebhookEventFact {
  event: WebhookEvent;
  ticketId: number | null;
  staffOnly: boolean;
  at: string;
  data: Record<string, unknown>;
}

/**
 * The deliveries of one event, one per active endpoint that takes it (the audience rule applied), all with the same
 * event id; the body is frozen now: `{"id","type","createdAt","data"}`. Read before the event's write, queued in it.
 */
export async function webhookDeliveriesFor(
  deps: { storage: Uses<{ webhooks: 'webhookEndpointsFor' }>; tokens: Pick<Tokens, 'unique'> },
  fact: WebhookEventFact,
): Promise<{ endpoints: number; deliveries(more: Record<string, unknown>): NewWebhookDelivery[] }> {
  const endpoints = (await deps.storage.webhooks.webhookEndpointsFor(fact.event)).filter(
    (e) => !(fact.staffOnly && e.publicOnly),
  );
  const eventId = `evt_${deps.tokens.unique()}`;
  // The caller adds what only its write knows (a new message's id) when it queues.
  return {
    endpoints: endpoints.length,
    deliveries(more) {
      const data = { ...fact.data, ...more };
      const body = JSON.stringify({ id: eventId, type: fact.event, createdAt: fact.at, data });
      return endpoints.map((e) => ({ endpointId: e.id, eventId, event: fact.event, ticketId: fact.ticketId, body }));
    },
  };
}
