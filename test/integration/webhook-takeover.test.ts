/**
 * The webhook dispatcher's batch that takes over expired claims (`dispatchWebhookBatch`'s `takeOver`), in process
 * against a real endpoint on loopback: it posts the deliveries a dead dispatcher held, all of them, and not the
 * deliveries due before them. (`delivery-processes.test.ts` kills a real `parley dispatch` while it posts.)
 */
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, it } from 'node:test';
import { HttpWebhookSender } from '../../src/adapters/net/http-webhook-sender.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { dispatchWebhookBatch } from '../../src/domain/webhooks/dispatch-webhooks.ts';
import { sqliteMemory } from '../support/databases.ts';
import { DISPATCH_POLICY, scene } from '../support/dispatch-scene.ts';

describe('a webhook batch taking over expired claims (in process)', () => {
  it('posts the deliveries it re-queued, all of them, not those due before them, and none when none had expired', async () => {
    const s = await scene(sqliteMemory);
    const posted: string[] = [];
    const server = createServer((req, res) => {
      posted.push(String(req.headers['parley-event-id']));
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    try {
      const { endpoint } = await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks`,
        description: 'Tracker',
        events: ['message.created'],
        publicOnly: false,
        active: true,
        allowPrivate: true,
      });
      const ids = await s.storage.webhooks.queueWebhookDeliveries(
        Array.from({ length: 10 }, (_, i) => ({
          endpointId: endpoint.id,
          eventId: `evt-${i + 1}`,
          event: 'message.created' as const,
          ticketId: null,
          body: '{}',
        })),
        new Date().toISOString(),
      );
      const now = Date.now();
      // A dead dispatcher's claims, their lease over: the last three, so seven deliveries are due before them once
      // they are re-queued (due again now).
      const deadIds = ids.slice(7);
      const dead = await s.storage.webhooks.claimWebhookDeliveries({
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now - 1000).toISOString(),
        token: 'dead-dispatcher',
        limit: 10,
        ids: deadIds,
      });
      assert.deepEqual(
        dead.map((d) => d.id),
        deadIds,
      );
      const deps = { ...s.deps, sender: new HttpWebhookSender({ timeoutMs: 5000, userAgent: 'Parley-Test' }) };
      // More than a batch (of 2 here): every delivery re-queued is claimed, none left due with nobody woken for it.
      const first = await dispatchWebhookBatch(deps, { ...DISPATCH_POLICY, batchSize: 2 }, { takeOver: true });
      assert.deepEqual(first, { claimed: 3, delivered: 3, deferred: 0, failed: 0, requeued: 3 });
      assert.deepEqual(await dispatchWebhookBatch(deps, DISPATCH_POLICY, { takeOver: true }), {
        claimed: 0,
        delivered: 0,
        deferred: 0,
        failed: 0,
        requeued: 0,
      });
      assert.deepEqual(posted.sort(), ['evt-10', 'evt-8', 'evt-9'], "the dead dispatcher's deliveries, once each");
      const states = await Promise.all(
        ids.map(async (id) => (await s.storage.webhooks.findWebhookDelivery(id))!.status),
      );
      assert.deepEqual(states, [...Array(7).fill('queued'), 'delivered', 'delivered', 'delivered']);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await s.close();
    }
  });
});
