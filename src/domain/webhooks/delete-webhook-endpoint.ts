import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { urlForAudit } from './url-for-audit.ts';

/** An administrator deletes an endpoint, and with it its deliveries; 404 when unknown. */
export async function deleteWebhookEndpoint(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
): Promise<void> {
  const deleted = await deps.storage.transaction(async (tx) => {
    const before = await tx.webhooks.findWebhookEndpoint(id);
    if (!before || !(await tx.webhooks.deleteWebhookEndpoint(id))) return false;
    await recordAudit(tx, deps.clock, origin, {
      action: 'webhook.delete',
      target: { type: 'webhook-endpoint', id, label: urlForAudit(before.url) },
    });
    return true;
  });
  if (!deleted) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `There is no webhook endpoint ${id}.`);
}
