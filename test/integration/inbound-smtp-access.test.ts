/**
 * Who may hand mail to the SMTP receiver, end to end through the composition root (config -> createInbound):
 * recipients are checked at RCPT TO (the mail domain with its reply+ addresses, the support address of parameter 10
 * read at run time, PARLEY_INBOUND_RECIPIENTS; others 550, a failed check 451, more than 100 refused 452); AUTH
 * PLAIN/LOGIN when configured (530 without, 535 when wrong, 538 before STARTTLS); STARTTLS with a self-signed
 * certificate made by openssl for this run. Real clients: Nodemailer and a raw socket. Servers listen on 127.0.0.1,
 * port 0, and are closed by each suite.
 */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connect as tlsConnect, type TLSSocket } from 'node:tls';
import { after, before, describe, it } from 'node:test';
import nodemailer from 'nodemailer';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { loadConfig } from '../../src/config/config.ts';
import type { RawMail } from '../../src/domain/inbound/inbound-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { inboundRecipientCheck } from '../../src/domain/inbound/accepted-recipients.ts';
import { createParley, type Parley } from '../../src/main.ts';
import { createInbound } from '../../src/main-inbound.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, type World } from '../support/fixtures.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const DOMAIN = 'desk.example.test';
const SUPPORT = 'desk@example.test'; // the fixtures' SMTP account From (parameter 10)
const RAW = 'From: someone@example.org\r\nSubject: hello\r\n\r\nhello\r\n';

/** A raw SMTP client: write lines, read replies; STARTTLS upgrades the same connection. */
class RawSmtp {
  private buffer = '';
  private waiters: (() => void)[] = [];
  private closed = false;
  private constructor(private socket: Socket | TLSSocket) {
    this.listen(socket);
  }
  private listen(socket: Socket | TLSSocket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => {
      this.buffer += d;
      this.wake();
    });
    socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    socket.on('error', () => {});
  }
  private wake() {
    for (const w of this.waiters.splice(0)) w();
  }
  static async open(port: number): Promise<RawSmtp> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    const client = new RawSmtp(socket);
    await client.reply();
    return client;
  }
  /** The next complete reply, all its lines. */
  async replyLines(): Promise<string[]> {
    for (;;) {
      const m = /^(?:\d{3}-.*\r\n)*\d{3} .*\r\n/.exec(this.buffer);
      if (m) {
        this.buffer = this.buffer.slice(m[0].length);
        return m[0].trim().split('\r\n');
      }
      if (this.closed) throw new Error(`connection closed; have ${JSON.stringify(this.buffer.slice(0, 200))}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }
  /** The last line of the next reply, e.g. "250 Accepted". */
  async reply(): Promise<string> {
    return (await this.replyLines()).at(-1)!;
  }
  async command(line: string): Promise<string> {
    this.socket.write(`${line}\r\n`);
    return this.reply();
  }
  /** EHLO; every line of the answer (the extensions offered). */
  async ehlo(): Promise<string[]> {
    this.socket.write('EHLO client.example.org\r\n');
    return this.replyLines();
  }
  async startTls(ca: Buffer): Promise<void> {
    assert.match(await this.command('STARTTLS'), /^220 /);
    this.socket.removeAllListeners('data');
    this.socket.removeAllListeners('close');
    const secure = tlsConnect({ socket: this.socket, ca, servername: 'localhost' });
    await new Promise<void>((resolve, reject) => secure.once('secureConnect', resolve).once('error', reject));
    this.socket = secure;
    this.listen(secure);
  }
  close() {
    this.socket.destroy();
  }
}

function transport(port: number, extra: Record<string, unknown> = {}) {
  return nodemailer.createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 5000,
    socketTimeout: 20_000,
    ...extra,
  });
}

const responseCode = (code: number) => (error: { responseCode?: number }) => error.responseCode === code;

function baseEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  return {
    PARLEY_DATA_DIR: dataDir,
    PARLEY_DATABASE_URL: 'sqlite::memory:',
    PARLEY_SECRET_KEY: 'inbound-smtp-access-test-secret-key-long-enough',
    PARLEY_MAIL_DOMAIN: DOMAIN,
    PARLEY_MAIL_CATCHER: 'off',
    PARLEY_LOG_LEVEL: 'silent',
    ...extra,
  };
}

/** A self-signed certificate for localhost and 127.0.0.1, in a folder removed by `remove`. */
function certificate(): { dir: string; certFile: string; keyFile: string; cert: Buffer; remove(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-inbound-tls-'));
  const certFile = join(dir, 'cert.pem');
  const keyFile = join(dir, 'key.pem');
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
      '-addext',
      'subjectAltName=DNS:localhost,IP:127.0.0.1',
      '-keyout',
      keyFile,
      '-out',
      certFile,
    ],
    { stdio: 'ignore' },
  );
  return {
    dir,
    certFile,
    keyFile,
    cert: readFileSync(certFile),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function inboundCount(storage: SqlStorage): Promise<number> {
  return (await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 1000 })).items.length;
}

/** Parley on `storage`, its inbound side (receiver included) started; `stop` closes both. */
async function startParley(env: NodeJS.ProcessEnv, storage?: SqlStorage) {
  const config = loadConfig(env, { readDotEnv: false });
  const parley = createParley(config, storage ? { storage } : {});
  if (!storage) await parley.storage.migrate();
  const inbound = createInbound(parley, {
    listen: { host: '127.0.0.1', port: 0 },
    sweepMs: 60_000,
    imapCheckMs: 60_000,
  });
  const port = (await inbound.start())!;
  return { parley, port, stop: () => inbound.stop() };
}

for (const database of [sqliteFile, postgres]) {
  describe(`SMTP receiver recipients (${database.name})`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let dataDir: string;
    let parley: Parley;
    let port: number;
    let stop: () => Promise<void>;
    let w: World;
    let replyTo: string;

    before(async () => {
      ({ storage, drop } = await database.open());
      dataDir = mkdtempSync(join(tmpdir(), 'parley-inbound-rcpt-'));
      ({ parley, port, stop } = await startParley(
        baseEnv(dataDir, { PARLEY_INBOUND_RECIPIENTS: '@Help.Example.org, Intake@Partner.example.net' }),
        storage,
      ));
      w = await buildWorld(parley.deps);
      const sent = await postMessage(parley.deps, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'Your laptop is ready.',
        source: 'desk',
      });
      replyTo = (await storage.outbox.outboxOfMessages([sent.message.id]))[0]!.replyTo!;
      assert.match(replyTo, new RegExp(`^reply\\+.*@${DOMAIN.replace(/\./g, '\\.')}$`));
    });
    after(async () => {
      await stop();
      await storage.close();
      await drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('refuses a foreign recipient with 550 5.1.1 at RCPT TO, and stores nothing', async () => {
      const before = await inboundCount(storage);
      const c = await RawSmtp.open(port);
      try {
        assert.match(await c.command('EHLO client.example.org'), /^250 /);
        assert.match(await c.command('MAIL FROM:<spammer@example.org>'), /^250 /);
        assert.match(await c.command('RCPT TO:<victim@elsewhere.example>'), /^550 5\.1\.1 /);
        // A look-alike of our domain is not ours either.
        assert.match(await c.command(`RCPT TO:<someone@sub.${DOMAIN}>`), /^550 5\.1\.1 /);
        assert.match(await c.command(`RCPT TO:<someone@${DOMAIN}.evil.example>`), /^550 5\.1\.1 /);
        assert.match(await c.command('DATA'), /^5\d\d /);
        assert.match(await c.command('QUIT'), /^221 /);
      } finally {
        c.close();
      }
      const t = transport(port);
      try {
        await assert.rejects(
          t.sendMail({ envelope: { from: 'spammer@example.org', to: ['victim@elsewhere.example'] }, raw: RAW }),
          responseCode(550),
        );
      } finally {
        t.close();
      }
      assert.equal(await inboundCount(storage), before);
    });

    it('mixed recipients: ours accepted, the foreign one refused, the mail stored once for ours', async () => {
      const before = await inboundCount(storage);
      const t = transport(port);
      try {
        const to = ['victim@elsewhere.example', replyTo, `Desk@${DOMAIN}`, 'other@elsewhere.example'];
        const info = await t.sendMail({
          envelope: { from: w.requesterB.email, to },
          raw: `Message-ID: <mixed@example.org>\r\n${RAW}`,
        });
        assert.match(info.response, /^250 /);
        assert.deepEqual(info.accepted, [replyTo, `Desk@${DOMAIN}`]);
        assert.deepEqual(info.rejected, ['victim@elsewhere.example', 'other@elsewhere.example']);
      } finally {
        t.close();
      }
      const items = (await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 1000 })).items;
      assert.equal(items.length, before + 1);
      const stored = items.find((m) => m.envelopeTo.includes(replyTo))!;
      assert.deepEqual(stored.envelopeTo, [replyTo, `Desk@${DOMAIN}`]);
    });

    it('accepts reply+ addresses at the mail domain in any case, and the support address of parameter 10 as it changes', async () => {
      const c = await RawSmtp.open(port);
      try {
        await c.command('EHLO client.example.org');
        assert.match(await c.command(`MAIL FROM:<${w.requesterB.email}>`), /^250 /);
        assert.match(await c.command(`RCPT TO:<${replyTo}>`), /^250 /);
        assert.match(await c.command(`RCPT TO:<${replyTo.toUpperCase()}>`), /^250 /);
        assert.match(await c.command(`RCPT TO:<${SUPPORT}>`), /^250 /);
        assert.match(await c.command(`RCPT TO:<${SUPPORT.toUpperCase()}>`), /^250 /);
        assert.match(await c.command('RCPT TO:<helpdesk@example.test>'), /^550 5\.1\.1 /);
        // The administrator changes the SMTP account's From: the new address is ours at once, the old one no more.
        await setParameter(parley.deps, CLI_ORIGIN, w.admin, PARAM.SMTP_FROM, 'helpdesk@example.test');
        assert.match(await c.command('RCPT TO:<helpdesk@example.test>'), /^250 /);
        assert.match(await c.command(`RCPT TO:<${SUPPORT}>`), /^550 5\.1\.1 /);
        assert.match(await c.command('DATA'), /^354 /);
        assert.match(await c.command(`${RAW}.`), /^250 /);
        assert.match(await c.command('QUIT'), /^221 /);
      } finally {
        c.close();
        await setParameter(parley.deps, CLI_ORIGIN, w.admin, PARAM.SMTP_FROM, SUPPORT);
      }
    });

    it('accepts the extra domains and addresses of PARLEY_INBOUND_RECIPIENTS, case-insensitively, and nothing near them', async () => {
      const c = await RawSmtp.open(port);
      try {
        await c.command('EHLO client.example.org');
        await c.command('MAIL FROM:<someone@example.org>');
        assert.match(await c.command('RCPT TO:<anyone@help.example.org>'), /^250 /);
        assert.match(await c.command('RCPT TO:<Someone.Else@HELP.EXAMPLE.ORG>'), /^250 /);
        assert.match(await c.command('RCPT TO:<intake@partner.example.net>'), /^250 /);
        assert.match(await c.command('RCPT TO:<INTAKE@partner.example.net>'), /^250 /);
        assert.match(await c.command('RCPT TO:<sales@partner.example.net>'), /^550 5\.1\.1 /);
        assert.match(await c.command('RCPT TO:<anyone@sub.help.example.org>'), /^550 5\.1\.1 /);
      } finally {
        c.close();
      }
    });

    it('refuses the 101st recipient of a mail with 452 4.5.3', async () => {
      const c = await RawSmtp.open(port);
      try {
        await c.command('EHLO client.example.org');
        await c.command('MAIL FROM:<someone@example.org>');
        for (let k = 1; k <= 100; k++) assert.match(await c.command(`RCPT TO:<desk${k}@${DOMAIN}>`), /^250 /);
        assert.match(await c.command(`RCPT TO:<desk101@${DOMAIN}>`), /^452 4\.5\.3 /);
      } finally {
        c.close();
      }
    });
  });
}

describe('SMTP receiver recipient check failing', () => {
  it('answers 451 4.3.0 when the support address cannot be read (never 250 or 550), and stores nothing', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-inbound-rcpt-'));
    const config = loadConfig(baseEnv(dataDir), { readDotEnv: false });
    let down = true;
    const repos = {
      settings: {
        getParameters: async () => {
          if (down) throw new Error('database is down');
          return new Map([[PARAM.SMTP_FROM, JSON.stringify(SUPPORT)]]);
        },
      },
      mailboxes: {
        listMailboxes: async () => {
          if (down) throw new Error('database is down');
          return [];
        },
      },
    };
    const stored: RawMail[] = [];
    const errors: unknown[] = [];
    const receiver = new SmtpReceiver({
      host: '127.0.0.1',
      port: 0,
      name: DOMAIN,
      maxBytes: 1024 * 1024,
      acceptsRecipient: inboundRecipientCheck(config, repos, systemClock),
      store: async (mail) => stored.push(mail),
      onError: (error) => errors.push(error),
    });
    await receiver.start();
    const c = await RawSmtp.open(receiver.port);
    try {
      await c.command('EHLO client.example.org');
      await c.command('MAIL FROM:<someone@example.org>');
      assert.match(await c.command(`RCPT TO:<${SUPPORT}>`), /^451 4\.3\.0 /);
      assert.match(await c.command('RCPT TO:<victim@elsewhere.example>'), /^451 4\.3\.0 /);
      assert.match(await c.command('DATA'), /^5\d\d /);
      assert.equal(stored.length, 0);
      assert.ok(errors.some((e) => (e as Error).message === 'database is down'));
      // The mail domain needs no database.
      assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^250 /);
      // Once the database answers, the support address is accepted and a foreign one refused.
      down = false;
      assert.match(await c.command(`RCPT TO:<${SUPPORT}>`), /^250 /);
      assert.match(await c.command('RCPT TO:<victim@elsewhere.example>'), /^550 5\.1\.1 /);
      assert.match(await c.command('DATA'), /^354 /);
      assert.match(await c.command(`${RAW}.`), /^250 /);
      assert.equal(stored.length, 1);
      assert.deepEqual(stored[0]!.envelopeTo, [`desk@${DOMAIN}`, SUPPORT]);
    } finally {
      c.close();
      await receiver.stop();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('SMTP receiver AUTH and STARTTLS', () => {
  let cert: ReturnType<typeof certificate>;
  before(() => {
    cert = certificate();
  });
  after(() => cert.remove());

  describe('with TLS and AUTH configured', () => {
    let dataDir: string;
    let parley: Parley;
    let port: number;
    let stop: () => Promise<void>;
    const auth = { user: 'mta', pass: 'Correct-Horse-Battery-9' };

    before(async () => {
      dataDir = mkdtempSync(join(tmpdir(), 'parley-inbound-auth-'));
      ({ parley, port, stop } = await startParley(
        baseEnv(dataDir, {
          PARLEY_INBOUND_TLS_CERT: cert.certFile,
          PARLEY_INBOUND_TLS_KEY: cert.keyFile,
          PARLEY_INBOUND_AUTH_USER: auth.user,
          PARLEY_INBOUND_AUTH_PASSWORD: auth.pass,
        }),
      ));
    });
    after(async () => {
      await stop();
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('offers STARTTLS and AUTH PLAIN LOGIN; refuses MAIL FROM without AUTH (530) and AUTH before STARTTLS (538)', async () => {
      const c = await RawSmtp.open(port);
      try {
        const ehlo = await c.ehlo();
        assert.ok(
          ehlo.some((l) => /^250[- ]STARTTLS$/.test(l)),
          ehlo.join('\n'),
        );
        assert.ok(
          ehlo.some((l) => /^250[- ]AUTH PLAIN LOGIN$/.test(l)),
          ehlo.join('\n'),
        );
        assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^530 /);
        const plain = Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64');
        assert.match(await c.command(`AUTH PLAIN ${plain}`), /^538 /);
        assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^530 /);
        assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^530 /);
      } finally {
        c.close();
      }
      assert.equal(await inboundCount(parley.storage), 0);
    });

    it('after STARTTLS (the self-signed certificate verified): no AUTH is still 530, a wrong password 535, the right one delivers', async () => {
      const c = await RawSmtp.open(port);
      try {
        await c.command('EHLO client.example.org');
        await c.startTls(cert.cert);
        const ehlo = await c.ehlo();
        assert.ok(!ehlo.some((l) => /STARTTLS/.test(l)), ehlo.join('\n'));
        assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^530 /);
        assert.match(
          await c.command(`AUTH PLAIN ${Buffer.from(`\0${auth.user}\0wrong-password`).toString('base64')}`),
          /^535 /,
        );
        assert.match(
          await c.command(`AUTH PLAIN ${Buffer.from(`\0intruder\0${auth.pass}`).toString('base64')}`),
          /^535 /,
        );
        assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^530 /);
        assert.match(
          await c.command(`AUTH PLAIN ${Buffer.from(`\0${auth.user}\0${auth.pass}`).toString('base64')}`),
          /^235 /,
        );
        assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^250 /);
        // Authenticated senders are held to the recipients too.
        assert.match(await c.command('RCPT TO:<victim@elsewhere.example>'), /^550 5\.1\.1 /);
        assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^250 /);
        assert.match(await c.command('DATA'), /^354 /);
        assert.match(await c.command(`${RAW}.`), /^250 /);
      } finally {
        c.close();
      }
      assert.equal(await inboundCount(parley.storage), 1);
    });

    it('Nodemailer over STARTTLS: AUTH LOGIN and PLAIN with the right password deliver, a wrong one is refused 535', async () => {
      const before = await inboundCount(parley.storage);
      const secure = { ignoreTLS: false, requireTLS: true, tls: { ca: cert.cert } };
      const envelope = { from: 'someone@example.org', to: [`desk@${DOMAIN}`] };
      const wrong = transport(port, { ...secure, auth: { user: auth.user, pass: 'not-the-password' } });
      const none = transport(port, secure);
      const login = transport(port, { ...secure, auth, authMethod: 'LOGIN' });
      const plain = transport(port, { ...secure, auth, authMethod: 'PLAIN' });
      try {
        await assert.rejects(wrong.sendMail({ envelope, raw: RAW }), responseCode(535));
        await assert.rejects(none.sendMail({ envelope, raw: RAW }), responseCode(530));
        assert.match((await login.sendMail({ envelope, raw: RAW })).response, /^250 /);
        assert.match((await plain.sendMail({ envelope, raw: RAW })).response, /^250 /);
      } finally {
        for (const t of [wrong, none, login, plain]) t.close();
      }
      assert.equal(await inboundCount(parley.storage), before + 2);
    });
  });

  it('with TLS only: STARTTLS works with the self-signed certificate, no AUTH is offered or needed', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-inbound-tls-'));
    const { parley, port, stop } = await startParley(
      baseEnv(dataDir, { PARLEY_INBOUND_TLS_CERT: cert.certFile, PARLEY_INBOUND_TLS_KEY: cert.keyFile }),
    );
    const c = await RawSmtp.open(port);
    try {
      const ehlo = await c.ehlo();
      assert.ok(
        ehlo.some((l) => /^250[- ]STARTTLS$/.test(l)),
        ehlo.join('\n'),
      );
      assert.ok(!ehlo.some((l) => /AUTH/.test(l)), ehlo.join('\n'));
      await c.startTls(cert.cert);
      await c.command('EHLO client.example.org');
      assert.match(await c.command('MAIL FROM:<someone@example.org>'), /^250 /);
      assert.match(await c.command(`RCPT TO:<desk@${DOMAIN}>`), /^250 /);
      assert.match(await c.command('DATA'), /^354 /);
      assert.match(await c.command(`${RAW}.`), /^250 /);
      assert.equal(await inboundCount(parley.storage), 1);
    } finally {
      c.close();
      await stop();
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('with AUTH and PARLEY_INBOUND_ALLOW_INSECURE_AUTH=true: AUTH without TLS, 530 without it, 535 when wrong', async () => {
    const dataDir = mkdtempSync(join(tmpdir(), 'parley-inbound-auth-'));
    const { parley, port, stop } = await startParley(
      baseEnv(dataDir, {
        PARLEY_INBOUND_AUTH_USER: 'mta',
        PARLEY_INBOUND_AUTH_PASSWORD: 'Loopback-Only-Password-1',
        PARLEY_INBOUND_ALLOW_INSECURE_AUTH: 'true',
      }),
    );
    const envelope = { from: 'someone@example.org', to: [`desk@${DOMAIN}`] };
    const none = transport(port);
    const wrong = transport(port, { auth: { user: 'mta', pass: 'wrong' } });
    const right = transport(port, { auth: { user: 'mta', pass: 'Loopback-Only-Password-1' } });
    try {
      await assert.rejects(none.sendMail({ envelope, raw: RAW }), responseCode(530));
      await assert.rejects(wrong.sendMail({ envelope, raw: RAW }), responseCode(535));
      assert.match((await right.sendMail({ envelope, raw: RAW })).response, /^250 /);
      assert.equal(await inboundCount(parley.storage), 1);
    } finally {
      for (const t of [none, wrong, right]) t.close();
      await stop();
      await parley.close();
      rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('the receiver refuses to be built with AUTH over plain text unless insecure AUTH is allowed', () => {
    assert.throws(
      () =>
        new SmtpReceiver({
          host: '127.0.0.1',
          port: 0,
          name: DOMAIN,
          maxBytes: 1024,
          auth: { user: 'u', password: 'p' },
          store: async () => 1,
        }),
      /AUTH without TLS/,
    );
  });
});
