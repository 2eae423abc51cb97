/**
 * TLS to the SMTP server fails closed: a certificate that cannot be verified stops the connection (verify and send),
 * unless an administrator explicitly allows it (parameter 9002). Against a real smtp-server with a self-signed
 * certificate made for this run by openssl.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SMTPServer } from 'smtp-server';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SmtpSettings } from '../../src/ports/mail-transport.ts';
import { DeliveryFailure } from '../../src/ports/mail-transport.ts';

function selfSignedCertificate() {
  const dir = mkdtempSync(join(tmpdir(), 'parley-tls-'));
  try {
    execFileSync(
      'openssl',
      [
        'req',
        '-x509',
        '-newkey',
        'rsa:2048',
        '-nodes',
        '-days',
        '1',
        '-subj',
        '/CN=localhost',
        '-keyout',
        join(dir, 'key.pem'),
        '-out',
        join(dir, 'cert.pem'),
      ],
      { stdio: 'ignore' },
    );
    return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function listen(server: SMTPServer): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return (server.server.address() as { port: number }).port;
}

describe('TLS to the SMTP server fails closed', () => {
  const received: string[] = [];
  let tlsServer: SMTPServer;
  let starttlsServer: SMTPServer;
  let tlsPort: number;
  let starttlsPort: number;
  const transports = new NodemailerMailTransports({
    maxConnections: 1,
    connectionTimeoutMs: 3000,
    greetingTimeoutMs: 3000,
    socketTimeoutMs: 3000,
  });

  before(async () => {
    const { key, cert } = selfSignedCertificate();
    const onData: SMTPServer['onData'] = (stream, _session, callback) => {
      let raw = '';
      stream.on('data', (c: Buffer) => (raw += c.toString()));
      stream.on('end', () => {
        received.push(raw);
        callback();
      });
    };
    tlsServer = new SMTPServer({ secure: true, key, cert, authOptional: true, logger: false, onData });
    starttlsServer = new SMTPServer({ key, cert, authOptional: true, logger: false, onData });
    tlsServer.on('error', () => {});
    starttlsServer.on('error', () => {});
    tlsPort = await listen(tlsServer);
    starttlsPort = await listen(starttlsServer);
  });
  after(async () => {
    transports.closeAll();
    await new Promise<void>((r) => tlsServer.close(() => r()));
    await new Promise<void>((r) => starttlsServer.close(() => r()));
  });

  const settings = (over: Partial<SmtpSettings>): SmtpSettings => ({
    host: '127.0.0.1',
    port: tlsPort,
    security: 'tls',
    auth: false,
    user: null,
    password: null,
    allowInvalidCertificate: false,
    ...over,
  });
  const mail = (n: number) => ({
    from: { name: 'Desk', address: 'desk@example.test' },
    to: { name: 'Ana', address: 'ana@example.test' },
    replyTo: null,
    subject: `TLS ${n}`,
    text: 'hello',
    html: '<p>hello</p>',
    messageId: `<tls.${n}@example.test>`,
    inReplyTo: null,
    references: [],
    headers: {},
  });

  for (const security of ['tls', 'starttls'] as const) {
    // threat: TLS to the SMTP server: an invalid certificate fails closed unless an admin explicitly allows it.
    it(`${security}: an unverifiable certificate is refused by verify and by send (deferred, not sent)`, async () => {
      const s = settings({ security, port: security === 'tls' ? tlsPort : starttlsPort });
      const verify = await transports.forSettings(s).verify();
      assert.equal(verify.ok, false);
      assert.equal(verify.code, 'SMTP_VERIFY_FAILED');
      assert.match(verify.detail ?? '', /certificate|ETLS/i, 'the log detail says why');
      const before = received.length;
      await assert.rejects(
        transports.forSettings(s).send(mail(1)),
        (e: unknown) => e instanceof DeliveryFailure && !e.permanent,
      );
      assert.equal(received.length, before, 'nothing was delivered over the unverified connection');
    });

    it(`${security}: allowed explicitly by an administrator, the same certificate is accepted`, async () => {
      const s = settings({
        security,
        port: security === 'tls' ? tlsPort : starttlsPort,
        allowInvalidCertificate: true,
      });
      const verify = await transports.forSettings(s).verify();
      assert.deepEqual([verify.ok, verify.code, verify.signedIn], [true, 'OK', false]);
      const before = received.length;
      const { reply } = await transports.forSettings(s).send(mail(2));
      assert.match(reply, /^250/);
      assert.equal(received.length, before + 1);
    });
  }

  it('starttls required: a server that does not offer STARTTLS is refused rather than used in clear', async () => {
    const plain = new SMTPServer({
      disabledCommands: ['STARTTLS'],
      authOptional: true,
      logger: false,
      onData: (s, _x, cb) => s.on('end', () => cb()).resume(),
    });
    plain.on('error', () => {});
    const port = await listen(plain);
    try {
      const s = settings({ security: 'starttls', port, allowInvalidCertificate: true });
      const verify = await transports.forSettings(s).verify();
      assert.equal(verify.ok, false);
      await assert.rejects(transports.forSettings(s).send(mail(3)));
    } finally {
      await new Promise<void>((r) => plain.close(() => r()));
    }
  });
});
