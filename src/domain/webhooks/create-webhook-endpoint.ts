import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, secretChange } from '../audit/record-audit.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { checkEndpoint } from './check-endpoint.ts';
import { urlForAudit } from './url-for-audit.ts';
import type { WebhookEndpoint, WebhookEndpointFields } from './webhook.ts';

export const AUDITED_ENDPOINT_FIELDS = [
  'url',
  'description',
  'events',
  'publicOnly',
  'active',
  'allowPrivate',
] as const satisfies readonly (keyof WebhookEndpointFields)[];

/** A new signing secret: 32 random bytes, prefixed so that people recognise it. */
export function newWebhookSecret(tokens: Deps['tokens']): string {
  return `whsec_${tokens.random(32)}`;
}

/**
 * An administrator registers an endpoint. Parley generates its signing secret, returned this once (it is sealed at
 * rest and never shown again); the endpoint and its audit entry (the secret named, never its value; the URL as
 * `urlForAudit` keeps it) are one write.
 */
export async function createWebhookEndpoint(
  deps: Pick<Deps, 'clock' | 'tokens' | 'secrets'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  input: WebhookEndpointFields,
): Promise<{ endpoint: WebhookEndpoint; secret: string }> {
  const fields = checkEndpoint(input);
  const secret = newWebhookSecret(deps.tokens);
  const at = deps.clock.now().toISOString();
  const endpoint = await deps.storage.transaction(async (tx) => {
    const created = await tx.webhooks.createWebhookEndpoint(fields, deps.secrets.seal(secret), at);
    await recordAudit(tx, deps.clock, origin, {
      action: 'webhook.create',
      target: { type: 'webhook-endpoint', id: created.id, label: urlForAudit(created.url) },
      changes: [
        ...changesBetween(
          undefined,
          { ...fields, url: urlForAudit(fields.url), events: fields.events.join(',') },
          AUDITED_ENDPOINT_FIELDS,
        ),
        secretChange('secret'),
      ],
    });
    return created;
  });
  return { endpoint, secret };
}
