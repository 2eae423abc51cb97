import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { OutboxMailFacts } from '../../ports/storage.ts';
import { mailWebhooks } from './mail-webhooks.ts';
import type { WebhookEndpoint, WebhookEvent } from './webhook.ts';

const at = '2026-12-04T12:00:00.000Z';
const endpoint = (id: number, events: WebhookEvent[], publicOnly: boolean, active = true): WebhookEndpoint => ({
  id,
  url: `https://hooks.example.com/${id}`,
  description: '',
  events,
  publicOnly,
  active,
  allowPrivate: false,
  createdAt: at,
  updatedAt: at,
});
const fact = (id: number, internal: boolean): OutboxMailFacts => ({
  id,
  ticketId: 7,
  ticketNumber: 7,
  messageId: 70 + id,
  toAddress: `person${id}@example.test`,
  attemptCount: 1,
  internal,
});

function deps(endpoints: WebhookEndpoint[], facts: OutboxMailFacts[]) {
  const reads = { endpoints: 0, facts: 0 };
  let n = 0;
  return {
    reads,
    deps: {
      storage: {
        webhooks: { listWebhookEndpoints: async () => (reads.endpoints++, endpoints) },
        outbox: { outboxMailFacts: async () => (reads.facts++, facts) },
      },
      tokens: { unique: () => `id${++n}` },
    },
  };
}

describe('mailWebhooks', () => {
  it('reads nothing more and builds nothing when no active endpoint takes a mail event', async () => {
    const { deps: d, reads } = deps(
      [endpoint(1, ['message.created'], false), endpoint(2, ['mail.sent'], false, false)],
      [fact(1, false)],
    );
    assert.equal(await mailWebhooks(d, [1, 2, 3]), null);
    assert.deepEqual(reads, { endpoints: 1, facts: 0 });
  });

  it('an internal note’s mail never reaches a "public events only" endpoint; each event only its takers', async () => {
    const { deps: d } = deps(
      [endpoint(1, ['mail.sent', 'mail.failed'], true), endpoint(2, ['mail.sent'], false)],
      [fact(1, false), fact(2, true)],
    );
    const hooks = (await mailWebhooks(d, [1, 2]))!;
    const publicMail = hooks(1, { event: 'mail.sent', at, reply: null, attempts: 1 });
    assert.deepEqual(
      publicMail.map((x) => x.endpointId),
      [1, 2],
    );
    assert.equal(new Set(publicMail.map((x) => x.eventId)).size, 1, 'one event id for every endpoint');
    assert.deepEqual(
      hooks(2, { event: 'mail.sent', at, reply: null, attempts: 1 }).map((x) => x.endpointId),
      [2],
    );
    assert.deepEqual(hooks(2, { event: 'mail.failed', at, reply: '550 no such user', attempts: 1 }), []);
    const failed = hooks(1, { event: 'mail.failed', at, reply: '550 no such user', attempts: 2 });
    assert.deepEqual(JSON.parse(failed[0]!.body).data.mail, {
      id: 1,
      ticket: { id: 7, number: 7 },
      messageId: 71,
      internal: false,
      to: 'person1@example.test',
      attempts: 2,
      reason: '550 no such user',
    });
  });
});
