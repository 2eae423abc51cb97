import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { checkEndpoint } from './check-endpoint.ts';
import { AUDITED_ENDPOINT_FIELDS } from './create-webhook-endpoint.ts';
import type { WebhookEndpoint, WebhookEndpointFields } from './webhook.ts';

const listed = (e: WebhookEndpointFields) => ({ ...e, events: e.events.join(',') });

/** An administrator changes an endpoint (allowing private addresses is audited as any field); 404 when unknown. */
export async function updateWebhookEndpoint(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
  changes: Partial<WebhookEndpointFields>,
): Promise<WebhookEndpoint> {
  const at = deps.clock.now().toISOString();
  const updated = await deps.storage.transaction(async (tx) => {
    const before = await tx.webhooks.findWebhookEndpoint(id);
    if (!before) return undefined;
    const fields = checkEndpoint({ ...before, ...changes });
    const after = await tx.webhooks.updateWebhookEndpoint(id, fields, undefined, at);
    await recordAudit(tx, deps.clock, origin, {
      action: 'webhook.update',
      target: { type: 'webhook-endpoint', id, label: fields.url },
      changes: changesBetween(listed(before), listed(fields), AUDITED_ENDPOINT_FIELDS),
    });
    return after;
  });
  if (!updated) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `There is no webhook endpoint ${id}.`);
  return updated;
}
