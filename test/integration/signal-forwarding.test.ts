/**
 * `parley serve` on SQLite passes its signals to the dispatcher that runs apart (a thread or a child, each with a
 * storage of its own, which hears nothing of serve's writes): a queued mail wakes the outbox's dispatcher, a queued
 * webhook delivery the webhooks', mail taken back (an erasure) the outbox's to renew its claims, each once per turn of
 * the event loop; nothing once stopped.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { forwardSignals } from '../../src/delivery/cli/dispatcher-supervisor.ts';
import type { DispatchWake } from '../../src/main.ts';
import { AT, newTicket, newUser, queuedMail } from '../contract/contract-support.ts';

const turn = () => new Promise((resolve) => setImmediate(resolve));

describe("serve's signals on SQLite", () => {
  it('wake the outbox dispatcher for mail and the webhook dispatcher for deliveries, once per turn', async () => {
    const storage = openSqliteStorage(':memory:');
    try {
      await storage.migrate();
      const user = await storage.people.createUser(newUser('f@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const endpoint = await storage.webhooks.createWebhookEndpoint(
        {
          url: 'https://hooks.example.test/p',
          description: 'T',
          events: ['message.created'],
          publicOnly: true,
          active: true,
          allowPrivate: false,
        },
        'sealed',
        AT,
      );
      const mail = (n: number) =>
        queuedMail({ ticketId: ticket.id, recipientId: user.id, toAddress: 'f@example.test' }, 'fwd', n);
      const kicks: DispatchWake[] = [];
      const stop = await forwardSignals(storage, (wake) => kicks.push(wake));

      await storage.outbox.queueMails([mail(1)], AT);
      await storage.outbox.queueMails([mail(2)], AT);
      await turn();
      assert.deepEqual(kicks, ['outbox'], 'two mails in one turn: one wake-up, of the outbox dispatcher');

      await storage.webhooks.queueWebhookDeliveries(
        [{ endpointId: endpoint.id, eventId: 'evt-fwd', event: 'message.created', ticketId: null, body: '{}' }],
        AT,
      );
      await turn();
      assert.deepEqual(kicks, ['outbox', 'webhooks'], 'a delivery wakes the webhook dispatcher alone');

      // Mail a dispatcher may be sending taken back (an erasure cancels what is queued to the person): the outbox
      // dispatcher renews its claims at once.
      await storage.outbox.eraseOutboxOf(
        { recipientId: user.id, names: [], addresses: ['f@example.test'], messageIds: [], ticketIds: [] },
        { address: 'erased-1@erased.invalid', name: 'Erased', cancelReply: 'Erased.' },
        AT,
      );
      await turn();
      assert.deepEqual(kicks, ['outbox', 'webhooks', 'withdrawn'], 'a withdrawal wakes the dispatchers to renew');

      await stop();
      await storage.outbox.queueMails([mail(3)], AT);
      await turn();
      assert.deepEqual(kicks, ['outbox', 'webhooks', 'withdrawn'], 'nothing forwarded once stopped');
    } finally {
      await storage.close();
    }
  });
});
