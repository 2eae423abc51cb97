/**
 * Every reply Parley writes for a delivery attempt reads back as its code (so the web can say it in the admin's
 * language); a reply that is not ours is the SMTP server's answer, kept as it is.
 */
import { resolveAllowedAddress } from '../../src/adapters/net/allowed-address.ts';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { classifySendError } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import {
  DELIVERY_SENTENCES,
  deliveryResultOf,
  gaveUpSentence,
  handoverFailedSentence,
  recipientInvalidSentence,
} from '../../src/domain/notifications/delivery-results.ts';

const nodemailerError = (code: string, message = 'boom') => Object.assign(new Error(message), { code });

describe('delivery results', () => {
  it('reads each of our fixed sentences back as its code', () => {
    for (const [code, sentence] of Object.entries(DELIVERY_SENTENCES))
      assert.deepEqual(deliveryResultOf(sentence), { code, params: {} }, code);
  });

  it('reads the transport’s network failures as codes, with the certificate note as a flag', () => {
    const expected: [string, string][] = [
      ['ECONNECTION', 'CONNECTION_CLOSED'],
      ['ETIMEDOUT', 'TIMEOUT'],
      ['ESOCKET', 'CONNECTION_FAILED'],
      ['EDNS', 'DNS_FAILED'],
      ['ETLS', 'TLS_FAILED'],
      ['EPROTOCOL', 'NOT_SMTP'],
    ];
    for (const [errorCode, code] of expected) {
      assert.deepEqual(
        deliveryResultOf(classifySendError(nodemailerError(errorCode), { user: null, password: null }).reply),
        { code, params: {} },
        errorCode,
      );
    }
    const cert = classifySendError(nodemailerError('ESOCKET', 'self-signed certificate in certificate chain'), {
      user: null,
      password: null,
    }).reply;
    assert.deepEqual(deliveryResultOf(cert), { code: 'CONNECTION_FAILED', params: { certificate: true } });
    assert.deepEqual(
      deliveryResultOf(classifySendError(nodemailerError('EWEIRD'), { user: null, password: null }).reply),
      { code: 'HANDOVER_FAILED', params: { error: 'EWEIRD' } },
    );
    assert.deepEqual(
      deliveryResultOf(classifySendError(nodemailerError('EAUTH'), { user: null, password: null }).reply),
      { code: 'AUTH_REFUSED', params: {} },
    );
    // A service that is not SMTP: its banner is never kept, our sentence says so.
    const banner = Object.assign(new Error('Invalid greeting'), { command: 'CONN', response: 'SSH-2.0-OpenSSH_9.2' });
    assert.deepEqual(deliveryResultOf(classifySendError(banner, { user: null, password: null }).reply), {
      code: 'NO_GREETING',
      params: {},
    });
  });

  it('reads the refused-address sentences of the address check back as their codes', async () => {
    const forbidden = await resolveAllowedAddress('169.254.169.254', 'SMTP host').then(
      () => assert.fail('a metadata address is refused'),
      (error: Error) => error.message,
    );
    assert.deepEqual(deliveryResultOf(forbidden), { code: 'HOST_FORBIDDEN', params: {} });
  });

  it('keeps an SMTP server’s answer as the server’s, also inside a give-up', () => {
    const reply = classifySendError(
      Object.assign(new Error('x'), { responseCode: 451, response: '451 4.3.0 Try again later' }),
      { user: null, password: null },
    ).reply;
    assert.deepEqual(deliveryResultOf(reply), { code: 'SERVER_REPLY', params: { reply: '451 4.3.0 Try again later' } });
    assert.deepEqual(deliveryResultOf('250 2.0.0 Ok: queued as 1234'), {
      code: 'SERVER_REPLY',
      params: { reply: '250 2.0.0 Ok: queued as 1234' },
    });
    assert.deepEqual(deliveryResultOf(gaveUpSentence(120, '451 4.3.0 Try again later')), {
      code: 'GAVE_UP',
      params: { hours: 120, last: { code: 'SERVER_REPLY', params: { reply: '451 4.3.0 Try again later' } } },
    });
    assert.deepEqual(deliveryResultOf(gaveUpSentence(2, DELIVERY_SENTENCES.CONNECTION_FAILED)), {
      code: 'GAVE_UP',
      params: { hours: 2, last: { code: 'CONNECTION_FAILED', params: {} } },
    });
  });

  it('carries the address of an invalid recipient and the error of an unknown failure', () => {
    assert.deepEqual(deliveryResultOf(recipientInvalidSentence('not an address')), {
      code: 'RECIPIENT_INVALID',
      params: { address: 'not an address' },
    });
    assert.deepEqual(deliveryResultOf(handoverFailedSentence('EFOO')), {
      code: 'HANDOVER_FAILED',
      params: { error: 'EFOO' },
    });
    // A server's text that merely starts like ours stays the server's.
    assert.equal(deliveryResultOf(`${DELIVERY_SENTENCES.TIMEOUT} and more`).code, 'SERVER_REPLY');
  });
});
