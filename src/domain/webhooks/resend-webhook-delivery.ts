import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { WebhookDelivery } from './webhook.ts';

/**
 * "Send again": a delivery not being sent right now is due at once, with the same event id (the receiver
 * de-duplicates by it) and its backoff started again; 404 when unknown, 409 while it is being sent.
 */
export async function resendWebhookDelivery(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction' | 'webhooks'> },
  origin: Origin,
  id: number,
): Promise<WebhookDelivery> {
  const resent = await deps.storage.transaction(async (tx) => {
    const delivery = await tx.webhooks.resendWebhookDelivery(id, deps.clock.now().toISOString());
    if (delivery)
      await recordAudit(tx, deps.clock, origin, {
        action: 'webhook.resend',
        target: { type: 'webhook-delivery', id, label: delivery.eventId },
        changes: [{ field: 'status', after: delivery.status }],
      });
    return delivery;
  });
  if (resent) return resent;
  if (!(await deps.storage.webhooks.findWebhookDelivery(id)))
    throw new DomainError('WEBHOOK_DELIVERY_NOT_FOUND', `There is no webhook delivery ${id}.`);
  throw new DomainError(
    'WEBHOOK_DELIVERY_BUSY',
    `Webhook delivery ${id} is being sent right now; send it again once this attempt is over.`,
  );
}
