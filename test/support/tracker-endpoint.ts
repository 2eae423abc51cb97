import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { testDeps } from './fixtures.ts';
import type { SecretBox } from '../../src/ports/secret-box.ts';

/** An issue tracker's endpoint for `message.created`, registered from the CLI through `storage` (its secret sealed by `secrets`, the test key by default). */
export async function trackerEndpoint(storage: SqlStorage, secrets?: SecretBox) {
  const deps = testDeps(storage);
  const { endpoint } = await createWebhookEndpoint({ ...deps, secrets: secrets ?? deps.secrets }, CLI_ORIGIN, {
    url: 'https://tracker.example.test/hooks/parley',
    description: 'Tracker',
    events: ['message.created'],
    publicOnly: false,
    active: true,
    allowPrivate: false,
  });
  return endpoint;
}

/** How many deliveries `storage` sees queued for an endpoint. */
export async function deliveriesOf(storage: SqlStorage, endpointId: number): Promise<number> {
  return (await storage.webhooks.listWebhookDeliveries({ endpointId }, { limit: 100 })).items.length;
}
