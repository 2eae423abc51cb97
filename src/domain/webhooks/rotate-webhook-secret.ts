import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { newWebhookSecret } from './create-webhook-endpoint.ts';
import { urlForAudit } from './url-for-audit.ts';

/**
 * An administrator replaces an endpoint's signing secret: the new one is returned this once; deliveries sent from
 * now on are signed with it (also those queued before).
 */
export async function rotateWebhookSecret(
  deps: Pick<Deps, 'clock' | 'tokens' | 'secrets'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
): Promise<{ secret: string }> {
  const secret = newWebhookSecret(deps.tokens);
  const at = deps.clock.now().toISOString();
  const done = await deps.storage.transaction(async (tx) => {
    const updated = await tx.webhooks.updateWebhookEndpoint(id, {}, deps.secrets.seal(secret), at);
    if (!updated) return false;
    await recordAudit(tx, deps.clock, origin, {
      action: 'webhook.rotate-secret',
      target: { type: 'webhook-endpoint', id, label: urlForAudit(updated.url) },
      changes: [secretChange('secret')],
    });
    return true;
  });
  if (!done) throw new DomainError('WEBHOOK_ENDPOINT_NOT_FOUND', `There is no webhook endpoint ${id}.`);
  return { secret };
}
