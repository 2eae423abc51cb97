import assert from 'node:assert/strict';
import { it } from 'node:test';
import { DeliveryFailure } from '../../ports/mail-transport.ts';
import { REDACTED } from '../../domain/parameters/secret-scrub.ts';
import { partialReply } from './nodemailer-mail-transports.ts';

// threat: A server echoing `AUTH PLAIN <base64>`
it('a refused recipient whose long reply echoes AUTH PLAIN keeps no part of the base64: scrubbed, then cut', () => {
  const credentials = { user: 'desk@example.test', password: 'Pw-7f3a9c-Unique-S3cret!' };
  const plain = Buffer.from(`\u0000${credentials.user}\u0000${credentials.password}`).toString('base64');
  // The base64 runs across character 1,000, where the reply is cut.
  const echo = `550 5.1.1 ${'x'.repeat(920)} you said AUTH PLAIN ${plain}`;
  const refused = { response: '250 ok', refused: [{ recipient: 'a@example.test', response: echo, code: 550 }] };
  const failure = (() => {
    try {
      partialReply({ to: { name: '', address: 'a@example.test' } }, refused, credentials);
    } catch (error) {
      return error;
    }
    return null;
  })();
  assert.ok(failure instanceof DeliveryFailure);
  assert.ok(failure.permanent);
  assert.ok(failure.reply.length <= 1000);
  assert.ok(failure.reply.includes(`AUTH PLAIN ${REDACTED}`), failure.reply.slice(-60));
  assert.ok(!failure.reply.includes(plain.slice(0, 12)), 'no start of the base64 is left');
});
