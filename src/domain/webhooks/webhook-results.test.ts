import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WEBHOOK_SENTENCES, webhookResultOf } from './webhook-results.ts';

describe('webhookResultOf', () => {
  it('reads each reply the dispatcher writes back into its code', () => {
    assert.deepEqual(webhookResultOf('HTTP 204'), { code: 'HTTP', params: { status: 204, text: '' } });
    assert.deepEqual(webhookResultOf('HTTP 500: busy'), { code: 'HTTP', params: { status: 500, text: 'busy' } });
    assert.deepEqual(webhookResultOf('HTTP 410: the endpoint is gone; not tried again.: bye'), {
      code: 'GONE',
      params: { text: 'bye' },
    });
    assert.deepEqual(webhookResultOf('No answer within 10 s.'), { code: 'TIMEOUT', params: { seconds: 10 } });
    assert.deepEqual(webhookResultOf('Could not connect: connect ECONNREFUSED 127.0.0.1:1'), {
      code: 'CONNECT_FAILED',
      params: { error: 'connect ECONNREFUSED 127.0.0.1:1' },
    });
    assert.deepEqual(webhookResultOf('Not delivered after 72 hours; the last answer: HTTP 503'), {
      code: 'GAVE_UP',
      params: { hours: 72, last: { code: 'HTTP', params: { status: 503, text: '' } } },
    });
    for (const [code, sentence] of Object.entries(WEBHOOK_SENTENCES))
      assert.deepEqual(webhookResultOf(sentence), { code, params: {} });
    assert.deepEqual(webhookResultOf('Something else'), { code: 'OTHER', params: { reply: 'Something else' } });
  });
});
