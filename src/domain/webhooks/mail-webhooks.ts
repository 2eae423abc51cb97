import type { OutboxMailFacts, Uses } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import type { NewWebhookDelivery, WebhookEndpoint, WebhookEvent } from './webhook.ts';

export const MAIL_EVENTS = ['mail.sent', 'mail.deferred', 'mail.failed', 'mail.bounced'] as const;
export type MailEvent = (typeof MAIL_EVENTS)[number];

/** What happened to one notification, as a `mail.*` event reports it. */
export interface MailOutcomeFact {
  event: MailEvent;
  at: string;
  /** The server's reply or Parley's sentence (deferred, failed, bounced); never a credential (scrubbed before). */
  reply: string | null;
  /** The attempts made so far, this one included (default: those recorded when the facts were read). */
  attempts?: number;
}

/**
 * The `mail.*` deliveries of notifications' outcomes, for the endpoints read once (per dispatcher batch, per bounce;
 * kept by the read cache until an endpoint changes):
 * `null` when no active endpoint takes a mail event, so the dispatcher reads nothing more and builds nothing. The
 * mail of an internal note never reaches a "public events only" endpoint.
 */
export async function mailWebhooks(
  deps: {
    storage: Uses<{ webhooks: 'listWebhookEndpoints'; outbox: 'outboxMailFacts' }>;
    tokens: Pick<Tokens, 'unique'>;
  },
  entryIds: readonly number[],
): Promise<((entryId: number, fact: MailOutcomeFact) => NewWebhookDelivery[]) | null> {
  const endpoints = (await deps.storage.webhooks.listWebhookEndpoints()).filter(
    (e) => e.active && e.events.some((event) => (MAIL_EVENTS as readonly string[]).includes(event)),
  );
  if (endpoints.length === 0 || entryIds.length === 0) return null;
  const facts = new Map((await deps.storage.outbox.outboxMailFacts(entryIds)).map((f) => [f.id, f]));
  return (entryId, fact) => {
    const mail = facts.get(entryId);
    return mail ? deliveriesOf(endpoints, mail, fact, `evt_${deps.tokens.unique()}`) : [];
  };
}

function deliveriesOf(
  endpoints: readonly WebhookEndpoint[],
  mail: OutboxMailFacts,
  fact: MailOutcomeFact,
  eventId: string,
): NewWebhookDelivery[] {
  const takers = endpoints.filter(
    (e) => e.events.includes(fact.event as WebhookEvent) && !(mail.internal && e.publicOnly),
  );
  if (takers.length === 0) return [];
  const body = JSON.stringify({
    id: eventId,
    type: fact.event,
    createdAt: fact.at,
    data: {
      mail: {
        id: mail.id,
        ticket: mail.ticketId === null ? null : { id: mail.ticketId, number: mail.ticketNumber },
        messageId: mail.messageId,
        internal: mail.internal,
        to: mail.toAddress,
        attempts: fact.attempts ?? mail.attemptCount,
        ...(fact.event === 'mail.sent' ? {} : { reason: fact.reply }),
      },
    },
  });
  return takers.map((e) => ({ endpointId: e.id, eventId, event: fact.event, ticketId: mail.ticketId, body }));
}
