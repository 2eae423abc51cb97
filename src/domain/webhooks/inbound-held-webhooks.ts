import type { Uses } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import type { InboundOutcome } from '../inbound/inbound-mail.ts';
import { webhookDeliveriesFor } from './webhook-events.ts';
import type { NewWebhookDelivery } from './webhook.ts';

/**
 * The `inbound.held` deliveries of a mail held for review, to queue in the transaction that holds it. Held mail is
 * for staff to review (a stranger's mail, a forged sender, a bounce not ours): a "public events only" endpoint never
 * receives it. The body names the mail, why it was held (the reason and its sentence), its sender, subject and the
 * ticket it seems to belong to; never its text or a reply token.
 */
export async function inboundHeldWebhooks(
  deps: { storage: Uses<{ webhooks: 'webhookEndpointsFor' }>; tokens: Pick<Tokens, 'unique'> },
  id: number,
  outcome: InboundOutcome,
): Promise<NewWebhookDelivery[]> {
  const ticketId = outcome.ticketId ?? null;
  const hooks = await webhookDeliveriesFor(deps, {
    event: 'inbound.held',
    ticketId,
    staffOnly: true,
    at: outcome.at,
    data: {
      inboundMail: {
        id,
        reason: outcome.reason,
        reasonText: outcome.reasonText,
        ticketId,
        from: outcome.fromAddress ?? null,
        subject: outcome.subject ?? null,
      },
    },
  });
  return hooks.endpoints > 0 ? hooks.deliveries({}) : [];
}
