import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  DELIVERY_SENTENCES,
  deliveryResultOf,
  gaveUpSentence,
  oauthReconnectSentence,
  oauthUnavailableSentence,
} from './delivery-results.ts';

describe('a stored reply read back into its code', () => {
  it('reads the sentences of a mailbox whose OAuth2 grant needs reconnecting, with or without the reason', () => {
    assert.deepEqual(deliveryResultOf(oauthReconnectSentence(3, 'invalid_grant: revoked')), {
      code: 'OAUTH_RECONNECT',
      params: { reason: 'invalid_grant: revoked' },
    });
    assert.deepEqual(deliveryResultOf(oauthReconnectSentence(3, null)), {
      code: 'OAUTH_RECONNECT',
      params: { reason: null },
    });
  });

  it('reads a provider that could not be asked now, and a give-up wrapping it', () => {
    const unavailable = oauthUnavailableSentence(4, 'fetch failed');
    assert.deepEqual(deliveryResultOf(unavailable), { code: 'OAUTH_UNAVAILABLE', params: { reason: 'fetch failed' } });
    assert.deepEqual(deliveryResultOf(gaveUpSentence(120, unavailable)), {
      code: 'GAVE_UP',
      params: { hours: 120, last: { code: 'OAUTH_UNAVAILABLE', params: { reason: 'fetch failed' } } },
    });
  });

  it('leaves a server’s own answer as it is, and knows its fixed sentences', () => {
    assert.deepEqual(deliveryResultOf('451 4.7.0 Try again later'), {
      code: 'SERVER_REPLY',
      params: { reply: '451 4.7.0 Try again later' },
    });
    assert.deepEqual(deliveryResultOf(DELIVERY_SENTENCES.AUTH_REFUSED), { code: 'AUTH_REFUSED', params: {} });
  });

  it('reads an unreadable password, in the sentence of today and of earlier versions', () => {
    assert.deepEqual(deliveryResultOf(DELIVERY_SENTENCES.SECRET_UNREADABLE), { code: 'SECRET_UNREADABLE', params: {} });
    const earlier =
      'The stored SMTP password cannot be opened with the current PARLEY_SECRET_KEY (was the key changed?); save the SMTP account again.';
    assert.deepEqual(deliveryResultOf(earlier), { code: 'SECRET_UNREADABLE', params: {} });
    assert.match(DELIVERY_SENTENCES.SECRET_UNREADABLE, /team mailbox/, 'a team mailbox’s password is named too');
  });
});
