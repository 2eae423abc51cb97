import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { describe, it } from 'node:test';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import { MailCatcher } from '../../src/adapters/smtp/mail-catcher.ts';
import { freePort } from '../support/nginx.ts';

/** Whether a TCP connection to the port is accepted. */
function accepts(port: number): Promise<boolean> {
  return new Promise((done) => {
    const socket = connect(port, '127.0.0.1');
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

// Both import smtp-server when they start: a stop while that import is under way must leave nothing listening.
describe('an SMTP server stopped while it starts', () => {
  it('the receiver: start fails in a sentence, and the port stays closed', async () => {
    const port = await freePort();
    const receiver = new SmtpReceiver({
      host: '127.0.0.1',
      port,
      name: 'desk.example.test',
      maxBytes: 1024,
      store: async () => 1,
      stored: () => {},
    });
    const started = receiver.start();
    await receiver.stop();
    await assert.rejects(started, /stopped before it started/);
    assert.equal(await accepts(port), false);
  });

  it('the mail catcher: the start completes, then the stop closes it', async () => {
    const port = await freePort();
    const catcher = new MailCatcher();
    const started = catcher.start('127.0.0.1', port);
    await catcher.stop();
    assert.equal(await started, port);
    assert.equal(await accepts(port), false);
  });
});
