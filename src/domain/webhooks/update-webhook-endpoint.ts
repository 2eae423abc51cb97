import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { checkEndpoint } from './check-endpoint.ts';
import { AUDITED_ENDPOINT_FIELDS } from './create-webhook-endpoint.ts';
import { differsOnlyInWithheld, urlForAudit } from './url-for-audit.ts';
import type { WebhookEndpoint, WebhookEndpointFields } from './webhook.ts';

/** The fields as the audit compares them: the URL as it keeps it. */
const listed = (e: WebhookEndpointFields) => ({ ...e, url: urlForAudit(e.url), events: e.events.join(',') });

/**
 * An administrator changes an endpoint (allowing private addresses is audited as any field; the URL as `urlForAudit`
 * keeps it); 404 when unknown.
 */
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
      target: { type: 'webhook-endpoint', id, label: urlForAudit(fields.url) },
      changes: [
        // A URL changed where the audit withholds it (a new token in its path): named as changed, never shown.
        ...(differsOnlyInWithheld(before.url, fields.url) ? [secretChange('url')] : []),
        ...changesBetween(listed(before), listed(fields), AUDITED_ENDPOINT_FIELDS),
      ],
    });
    return after;
  });
  if (!updated) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `There is no webhook endpoint ${id}.`);
  return updated;
}
