import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DomainError } from '../errors.ts';
import { checkEndpoint } from './check-endpoint.ts';
import type { WebhookEndpointFields } from './webhook.ts';

const valid: WebhookEndpointFields = {
  url: ' https://hooks.example.com/parley ',
  description: ' Tracker ',
  events: ['message.created', 'message.created'],
  publicOnly: true,
  active: true,
  allowPrivate: false,
};

function refusedOn(fields: Partial<WebhookEndpointFields>): string {
  try {
    checkEndpoint({ ...valid, ...fields });
  } catch (error) {
    assert.ok(error instanceof DomainError && error.code === 'WEBHOOK_ENDPOINT_INVALID');
    return (error.details as { field: string }).field;
  }
  assert.fail('accepted');
}

describe('checkEndpoint', () => {
  it('trims, normalises the URL and keeps each event once', () => {
    const checked = checkEndpoint(valid);
    assert.equal(checked.url, 'https://hooks.example.com/parley');
    assert.equal(checked.description, 'Tracker');
    assert.deepEqual(checked.events, ['message.created']);
  });

  it('refuses what is not an HTTPS URL to a public host, unless private addresses are allowed', () => {
    assert.equal(refusedOn({ url: 'not a url' }), 'url');
    assert.equal(refusedOn({ url: 'ftp://hooks.example.com/' }), 'url');
    assert.equal(refusedOn({ url: 'http://hooks.example.com/' }), 'url');
    assert.equal(refusedOn({ url: 'https://a:b@hooks.example.com/' }), 'url');
    assert.equal(refusedOn({ url: 'https://192.168.0.10/' }), 'url');
    assert.equal(refusedOn({ url: 'https://169.254.169.254/', allowPrivate: true }), 'url');
    assert.equal(refusedOn({ url: 'https://metadata.google.internal/', allowPrivate: true }), 'url');
    assert.equal(
      checkEndpoint({ ...valid, url: 'http://127.0.0.1:8080/h', allowPrivate: true }).url,
      'http://127.0.0.1:8080/h',
    );
  });

  it('refuses no event, an unknown event and a long description', () => {
    assert.equal(refusedOn({ events: [] }), 'events');
    assert.equal(refusedOn({ events: ['ticket.exploded' as never] }), 'events');
    assert.equal(refusedOn({ description: 'x'.repeat(201) }), 'description');
  });
});
