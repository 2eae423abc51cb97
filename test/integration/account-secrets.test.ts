/**
 * The SMTP and IMAP passwords stay write-only: a stored password goes only to the server it was entered for
 * (changing host, port or security needs it again), and whatever a hostile server echoes of it, in any encoding, is
 * kept nowhere, returned nowhere and logged nowhere. Also: metadata addresses refused in every IPv6 embedding,
 * verify answering alike (words and time) whatever closed the connection, no banner echoed by verify or the test
 * mail, and verify saying "signed in" only when it did.
 *
 * Real servers started by the test: raw SMTP and IMAP servers that echo the credentials (test/support/echo-servers.ts),
 * the SMTP sink, silent and dropping listeners. On SQLite and PostgreSQL where the account is stored.
 */
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { ImapMailbox } from '../../src/adapters/inbound/imap-mailbox.ts';
import {
  NodemailerMailTransports,
  VERIFY_FAILED,
  type TransportOptions,
} from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Config } from '../../src/config/config.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { imapAccount } from '../../src/domain/parameters/parameters.ts';
import { createLogger, dispatchPolicy } from '../../src/main.ts';
import { loadConfig } from '../../src/config/config.ts';
import { postgres, sqliteMemory, type TestDatabase } from '../support/databases.ts';
import { buildWorld, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { signIn, type Client } from '../support/http.ts';
import {
  closedPort,
  startDroppingServer,
  startEchoingImapServer,
  startEchoingSmtpServer,
  type EchoServer,
} from '../support/echo-servers.ts';
import { SmtpSink, startSilentServer, waitUntil } from '../support/smtp-sink.ts';

const VERIFY_MS = 600;
const TIMEOUTS: TransportOptions = {
  maxConnections: 2,
  connectionTimeoutMs: 1000,
  greetingTimeoutMs: 1000,
  socketTimeoutMs: 2000,
  verifyTimeoutMs: VERIFY_MS,
};
const POLICY = dispatchPolicy(
  loadConfig(
    {
      PARLEY_SECRET_KEY: 'test-secret-key-that-is-long-enough-for-parley',
      PARLEY_DATA_DIR: '/nonexistent/parley-secrets-test',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  ),
);

const USER = 'desk@example.test';
const PASS = 'Pw-7f3a9c-Ünique-S3cret!';
const b64 = (text: string) => Buffer.from(text, 'utf8').toString('base64');
/** What must never be kept, returned or logged: the password and every encoding Parley sends it in. */
const FORBIDDEN: Record<string, string> = {
  password: PASS,
  'base64 of \\0user\\0pass (AUTH PLAIN)': b64(`\u0000${USER}\u0000${PASS}`),
  'base64 of user\\0user\\0pass': b64(`${USER}\u0000${USER}\u0000${PASS}`),
  'base64 of the user (AUTH LOGIN)': b64(USER),
  'base64 of the password (AUTH LOGIN)': b64(PASS),
  'base64 of the XOAUTH2 form': b64(`user=${USER}\u0001auth=Bearer ${PASS}\u0001\u0001`),
};

function assertClean(where: string, text: string) {
  for (const [name, form] of Object.entries(FORBIDDEN))
    assert.ok(!text.includes(form), `${where} holds the ${name}: ${text.slice(0, 400)}`);
}

interface Scene {
  deps: Deps;
  storage: SqlStorage;
  world: World;
  app: FastifyInstance;
  admin: Client;
  tech: Client;
  transports: NodemailerMailTransports;
  logLines: string[];
  // The answer's JSON as the tests read it, field by field (light-my-request's own type).
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  saveAccount(fields: Record<string, unknown>): Promise<{ statusCode: number; body: string; json(): any }>;
  dispatch(): ReturnType<typeof dispatchBatch>;
}

async function withScene(database: TestDatabase, work: (s: Scene) => Promise<void>): Promise<void> {
  const db = await database.open();
  const clock = new TestClock();
  const deps = testDeps(db.storage, clock);
  const transports = new NodemailerMailTransports(TIMEOUTS);
  const logLines: string[] = [];
  const logger = createLogger({ logLevel: 'trace' } as Config, { write: (line: string) => void logLines.push(line) });
  let app: FastifyInstance | undefined;
  try {
    const world = await buildWorld(deps);
    app = await buildApp(deps, { logger, mail: { transports, catcher: null } });
    const admin = await signIn(app, world.admin.email);
    await work({
      deps,
      storage: db.storage,
      world,
      app,
      admin,
      tech: await signIn(app, world.techA.email),
      transports,
      logLines,
      saveAccount: (fields) =>
        admin.put('/api/v1/admin/smtp-account', {
          security: 'none',
          auth: false,
          from: 'desk@example.test',
          ...fields,
        }),
      dispatch: () => dispatchBatch({ ...deps, transports, random: () => 0.5 }, POLICY),
    });
  } finally {
    await app?.close();
    transports.closeAll();
    await db.storage.close();
    await db.drop();
  }
}

const storedPassword = async (storage: SqlStorage, id: number) =>
  (await storage.kyselyInstance.selectFrom('system_parameter').select('value').where('id', '=', id).executeTakeFirst())
    ?.value ?? null;

for (const database of [sqliteMemory, postgres]) {
  describe(`account secrets (${database.name})`, () => {
    // threat: An admin changes the SMTP or IMAP host, port or security without re-entering the password
    it('changing the SMTP host, port or security without the password is refused, and the password never reaches the new server', async () => {
      await withScene(database, async (s) => {
        const sink = await SmtpSink.start();
        const evil = await startEchoingSmtpServer('PLAIN');
        try {
          sink.requireAuth({ user: USER, pass: PASS });
          const first = await s.saveAccount({
            host: '127.0.0.1',
            port: sink.port,
            auth: true,
            user: USER,
            password: PASS,
          });
          assert.equal(first.statusCode, 200, first.body);
          const sealed = await storedPassword(s.storage, PARAM.SMTP_PASSWORD);

          for (const change of [
            { port: evil.port },
            { host: 'localhost', port: sink.port },
            { port: sink.port, security: 'starttls' },
          ]) {
            const r = await s.saveAccount({ host: '127.0.0.1', auth: true, user: USER, ...change });
            assert.equal(r.statusCode, 422, `${JSON.stringify(change)}: ${r.body}`);
            assert.equal(r.json().code, 'SMTP_ACCOUNT_INVALID');
            assert.match(r.json().message, /needs the password again/);
            assert.equal(r.json().details.field, 'password');
          }
          // The single-parameter route refuses the same changes.
          for (const [id, value] of [
            [PARAM.SMTP_HOST, 'localhost'],
            [PARAM.SMTP_PORT, evil.port],
            [PARAM.SMTP_SECURITY, 'tls'],
          ] as const) {
            const r = await s.admin.put(`/api/v1/admin/parameters/${id}`, { value });
            assert.equal(r.statusCode, 422, `parameter ${id}: ${r.body}`);
            assert.match(r.json().message, /needs the SMTP password again/);
          }
          const account = (await s.admin.get('/api/v1/admin/smtp-account')).json();
          assert.deepEqual(
            [account.host, account.port, account.security, account.passwordSet],
            ['127.0.0.1', sink.port, 'none', true],
            'nothing of the refused changes was kept',
          );
          assert.equal(await storedPassword(s.storage, PARAM.SMTP_PASSWORD), sealed);

          // The stored password still goes only where it was entered for.
          const verify = (await s.admin.post('/api/v1/admin/smtp-account/verify')).json();
          assert.deepEqual([verify.ok, verify.signedIn], [true, true], JSON.stringify(verify));
          // (Only the password is looked for: another test's connection may land on this port once it reuses it.)
          assert.ok(!evil.received.some((r) => r.password === PASS), 'the other server was never sent the password');

          // Accepting a certificate that cannot be verified lets whoever sits in between act as the server: refused
          // without the password too (requiring a valid one again is not).
          const lax = await s.saveAccount({
            host: '127.0.0.1',
            port: sink.port,
            auth: true,
            user: USER,
            allowInvalidCertificate: true,
          });
          assert.equal(lax.statusCode, 422, lax.body);
          assert.equal(lax.json().details.field, 'password');
          const laxParameter = await s.admin.put(`/api/v1/admin/parameters/${PARAM.SMTP_ALLOW_INVALID_CERTIFICATE}`, {
            value: true,
          });
          assert.equal(laxParameter.statusCode, 422, laxParameter.body);
          assert.equal((await s.admin.get('/api/v1/admin/smtp-account')).json().allowInvalidCertificate, false);

          // Whatever does not move the password is saved without it: another sender name, say.
          const same = await s.saveAccount({
            host: '127.0.0.1',
            port: sink.port,
            auth: true,
            user: USER,
            fromName: 'Desk',
          });
          assert.equal(same.statusCode, 200, same.body);
          assert.equal(same.json().passwordSet, true);
          // With the password entered again, the change is saved.
          const moved = await s.saveAccount({
            host: '127.0.0.1',
            port: evil.port,
            auth: true,
            user: USER,
            password: PASS,
          });
          assert.equal(moved.statusCode, 200, moved.body);
          // Authentication off: moving the account removes the unused password instead of keeping it for a new server.
          const off = await s.saveAccount({ host: '127.0.0.1', port: sink.port, auth: false });
          assert.equal(off.statusCode, 200, off.body);
          assert.equal(off.json().passwordSet, false);
          assert.equal(await storedPassword(s.storage, PARAM.SMTP_PASSWORD), null);
        } finally {
          await sink.close();
          await evil.close();
        }
      });
    });

    // threat: An admin changes the SMTP or IMAP host, port or security without re-entering the password
    it('changing the IMAP host, port or security while a password is stored is refused; removing the password first allows it', async () => {
      await withScene(database, async (s) => {
        const set = (id: number, value: unknown) => s.admin.put(`/api/v1/admin/parameters/${id}`, { value });
        for (const [id, value] of [
          [PARAM.IMAP_HOST, 'imap.example.test'],
          [PARAM.IMAP_USER, USER],
          [PARAM.IMAP_PASSWORD, PASS],
        ] as const) {
          assert.equal((await set(id, value)).statusCode, 200);
        }
        const sealed = await storedPassword(s.storage, PARAM.IMAP_PASSWORD);
        for (const [id, value] of [
          [PARAM.IMAP_HOST, 'imap.attacker.test'],
          [PARAM.IMAP_PORT, 143],
          [PARAM.IMAP_SECURITY, 'none'],
        ] as const) {
          const r = await set(id, value);
          assert.equal(r.statusCode, 422, `parameter ${id}: ${r.body}`);
          assert.equal(r.json().code, 'PARAMETER_INVALID');
          assert.match(r.json().message, /needs the IMAP password again/);
        }
        assert.equal(
          (await s.admin.get(`/api/v1/admin/parameters/${PARAM.IMAP_HOST}`)).json().value,
          'imap.example.test',
        );
        assert.equal(await storedPassword(s.storage, PARAM.IMAP_PASSWORD), sealed);
        assert.equal(
          (await set(PARAM.IMAP_HOST, 'IMAP.example.test')).statusCode,
          200,
          'the same host in other letters is no change',
        );
        assert.equal((await set(PARAM.IMAP_MAILBOX, 'Support')).statusCode, 200, 'other settings need no password');

        // The IMAP reader follows the SMTP account's certificate check: accepting any certificate, as a parameter or
        // on the SMTP account's page (whose SMTP password is no proof for the IMAP one), is refused the same way.
        const cert = await set(PARAM.SMTP_ALLOW_INVALID_CERTIFICATE, true);
        assert.equal(cert.statusCode, 422, cert.body);
        assert.match(cert.json().message, /needs the (SMTP|IMAP) password again/);
        const account = {
          host: 'smtp.example.test',
          port: 587,
          security: 'starttls',
          auth: true,
          user: USER,
          password: 'whatever-the-caller-likes',
          from: 'desk@example.test',
          allowInvalidCertificate: true,
        };
        const page = await s.admin.put('/api/v1/admin/smtp-account', account);
        assert.equal(page.statusCode, 422, page.body);
        assert.equal(page.json().code, 'SMTP_ACCOUNT_INVALID');
        assert.deepEqual(page.json().details, { field: 'allowInvalidCertificate', reason: 'imap-password-required' });
        const reader = await imapAccount(s.deps, s.storage);
        assert.deepEqual([reader?.allowInvalidCertificate, reader?.password], [false, PASS]);

        assert.equal((await set(PARAM.IMAP_PASSWORD, null)).statusCode, 200);
        assert.equal((await s.admin.put('/api/v1/admin/smtp-account', account)).statusCode, 200);
        assert.equal((await set(PARAM.IMAP_HOST, 'imap2.example.test')).statusCode, 200);
        assert.equal((await set(PARAM.IMAP_PASSWORD, 'a-new-one')).statusCode, 200);
      });
    });

    for (const method of ['PLAIN', 'LOGIN'] as const) {
      // threat: A server echoing `AUTH PLAIN <base64>`
      // threat: The SMTP password is write-only, encrypted at rest
      it(`a server echoing AUTH ${method} gets none of the credentials' encodings into an answer, a stored reply or a log line`, async () => {
        await withScene(database, async (s) => {
          const server = await startEchoingSmtpServer(method);
          try {
            const saved = await s.saveAccount({
              host: '127.0.0.1',
              port: server.port,
              auth: true,
              user: USER,
              password: PASS,
            });
            assert.equal(saved.statusCode, 200, saved.body);
            const post = await s.tech.post(`/api/v1/tickets/${s.world.ticketA.number}/messages`, {
              text: 'Could you try again now?',
            });
            assert.equal(post.statusCode, 201, post.body);
            const ids = (post.json().notifications as { id: number }[]).map((n) => n.id);
            const batch = await s.dispatch();
            assert.equal(batch.deferred, ids.length, 'a refused login defers the mail');

            const verify = await s.admin.post('/api/v1/admin/smtp-account/verify');
            assert.equal(verify.json().code, 'SMTP_VERIFY_FAILED');
            const testMail = await s.admin.post('/api/v1/admin/smtp-account/test', { to: 'someone@example.test' });
            assert.equal(testMail.statusCode, 200, testMail.body);
            assert.equal(testMail.json().ok, false);

            // The credentials really travelled and came back, in every form: this test can fail.
            assert.ok(
              server.received.length >= 3 && server.received.every((r) => r.user === USER && r.password === PASS),
              JSON.stringify(server.received),
            );
            const details = await Promise.all(ids.map((id) => s.admin.get(`/api/v1/admin/outbox/${id}`)));
            for (const d of details)
              assert.match(
                d.json().lastReply,
                /^535 5\.7\.8 Authentication credentials invalid: you sent .*\[redacted\]/,
              );

            const answers: [string, string][] = [
              ['verify', verify.body],
              ['test mail', testMail.body],
              ...details.map((d, i): [string, string] => [`outbox ${ids[i]}`, d.body]),
            ];
            for (const url of [
              '/api/v1/admin/outbox',
              '/api/v1/admin/outbox?status=deferred',
              '/api/v1/admin/smtp-account',
              '/api/v1/admin/parameters',
            ]) {
              answers.push([url, (await s.admin.get(url)).body]);
            }
            for (const [where, body] of answers) assertClean(where, body);

            const db = s.storage.kyselyInstance;
            const stored = [
              ...(await db.selectFrom('outbox_entry').select('last_reply as reply').execute()),
              ...(await db.selectFrom('outbox_attempt').select('reply').execute()),
            ].map((r) => r.reply ?? '');
            assert.ok(stored.filter((r) => r.startsWith('535 ')).length >= ids.length * 2, 'the refusals were stored');
            for (const r of stored) assertClean('a stored reply', r);

            const logged = s.logLines.filter((l) => l.includes('SMTP account verification failed'));
            assert.equal(logged.length, 1, 'the failed verify was logged with its details');
            assert.match(logged[0]!, /EAUTH.*535.*\[redacted\]/);
            for (const line of s.logLines) assertClean('a log line', line);
          } finally {
            await server.close();
          }
        });
      });
    }

    // threat: Cloud metadata addresses beyond 169.254.169.254
    it('saving a metadata address, or one embedded in IPv6, as the SMTP or IMAP host is refused with a 422', async () => {
      await withScene(database, async (s) => {
        const hosts = [
          '100.100.100.200',
          '192.0.0.192',
          '168.63.129.16',
          '::ffff:0:a9fe:a9fe',
          '::ffff:100.100.100.200',
          '64:ff9b::a9fe:a9fe',
          '64:ff9b:1::c000:c0',
          '2002:a9fe:a9fe::1',
          '2001:0:4136:e378:8000:63bf:5601:5601',
        ];
        for (const host of hosts) {
          const smtp = await s.saveAccount({ host, port: 25 });
          assert.equal(smtp.statusCode, 422, `${host}: ${smtp.body}`);
          assert.equal(smtp.json().code, 'PARAMETER_INVALID');
          assert.match(smtp.json().message, /metadata addresses/);
          const imap = await s.admin.put(`/api/v1/admin/parameters/${PARAM.IMAP_HOST}`, { value: host });
          assert.equal(imap.statusCode, 422, `IMAP ${host}: ${imap.body}`);
          assert.match(imap.json().message, /metadata addresses/);
        }
        assert.equal(
          (await s.admin.get('/api/v1/admin/smtp-account')).json().host,
          'smtp.example.test',
          'the account was left as it was',
        );
      });
    });

    // threat: Cloud metadata addresses beyond 169.254.169.254 ("verify" does not act as a port scanner)
    it('verify answers in the same words, and no sooner, whatever closed the connection; the details go to the log', async () => {
      await withScene(database, async (s) => {
        const silent = await startSilentServer();
        const dropping = await startDroppingServer();
        const sink = await SmtpSink.start();
        sink.requireAuth({ rejectAll: true });
        const cases: [string, number, boolean][] = [
          ['closed port', await closedPort(), false],
          ['dropped after connect', dropping.port, false],
          ['never greets', silent.port, false],
          ['refuses the login', sink.port, true],
        ];
        try {
          const bodies: string[] = [];
          for (const [name, port, auth] of cases) {
            const saved = await s.saveAccount({
              host: '127.0.0.1',
              port,
              auth,
              ...(auth ? { user: USER, password: PASS } : {}),
            });
            assert.equal(saved.statusCode, 200, saved.body);
            const started = performance.now();
            const r = await s.admin.post('/api/v1/admin/smtp-account/verify');
            const elapsed = performance.now() - started;
            assert.equal(r.statusCode, 200, r.body);
            assert.ok(
              elapsed >= VERIFY_MS - 5,
              `${name}: a failed verify answers no sooner than the verify time (${elapsed} ms)`,
            );
            bodies.push(r.body);
          }
          assert.equal(new Set(bodies).size, 1, `one answer for every failure: ${bodies.join('\n')}`);
          assert.deepEqual(JSON.parse(bodies[0]!), {
            ok: false,
            code: 'SMTP_VERIFY_FAILED',
            message: VERIFY_FAILED,
            signedIn: false,
          });
          assert.ok(silent.connections >= 1 && sink.authAttempts.length >= 1, 'each server was really reached');
          const logged = s.logLines
            .filter((l) => l.includes('SMTP account verification failed'))
            .map((l) => JSON.parse(l).smtpVerify as string);
          assert.equal(logged.length, 4);
          assert.equal(new Set(logged).size, 4, `the log tells the failures apart: ${logged.join(' | ')}`);
          assert.match(logged[3]!, /EAUTH/);
        } finally {
          await silent.close();
          await dropping.close();
          await sink.close();
        }
      });
    });

    // threat: An SMTP host of `169.254.169.254` or another link-local/metadata address ("verify connection" never echoes another service's banner)
    // threat: Cloud metadata addresses beyond 169.254.169.254 (a test send never echoes a banner)
    it('a server greeting with something other than 220 has its banner echoed by neither verify, the test mail nor the outbox', async () => {
      await withScene(database, async (s) => {
        const BANNER = 'INTERNAL-SERVICE-BANNER-42 build 7.1';
        const other = await startSilentServer({ greeting: `554 5.3.2 ${BANNER}\r\n` });
        try {
          assert.equal((await s.saveAccount({ host: '127.0.0.1', port: other.port })).statusCode, 200);
          const verify = await s.admin.post('/api/v1/admin/smtp-account/verify');
          const testMail = await s.admin.post('/api/v1/admin/smtp-account/test', { to: 'someone@example.test' });
          assert.equal(testMail.json().ok, false);
          const post = await s.tech.post(`/api/v1/tickets/${s.world.ticketA.number}/messages`, { text: 'Hello' });
          assert.equal(post.statusCode, 201);
          await s.dispatch();
          const outbox = await s.admin.get('/api/v1/admin/outbox');
          assert.ok(other.connections >= 3, 'the server was connected to and greeted each time');
          for (const [where, body] of [
            ['verify', verify.body],
            ['test mail', testMail.body],
            ['outbox', outbox.body],
          ] as const) {
            assert.ok(!body.includes('INTERNAL-SERVICE-BANNER'), `${where} echoes the banner: ${body}`);
          }
          assert.match(outbox.body, /did not greet as an SMTP server does/);
        } finally {
          await other.close();
        }
      });
    });

    it('verify says it signed in only when it did', async () => {
      await withScene(database, async (s) => {
        const sink = await SmtpSink.start();
        try {
          await s.saveAccount({ host: '127.0.0.1', port: sink.port, auth: false });
          const open = (await s.admin.post('/api/v1/admin/smtp-account/verify')).json();
          assert.deepEqual([open.ok, open.code, open.signedIn], [true, 'OK', false]);
          assert.doesNotMatch(open.message, /signed in|sign-in was accepted/i);
          assert.match(open.message, /no sign-in is configured/);

          sink.requireAuth({ user: USER, pass: PASS });
          await s.saveAccount({ host: '127.0.0.1', port: sink.port, auth: true, user: USER, password: PASS });
          const signedIn = (await s.admin.post('/api/v1/admin/smtp-account/verify')).json();
          assert.deepEqual([signedIn.ok, signedIn.code, signedIn.signedIn], [true, 'OK', true]);
          assert.match(signedIn.message, /signed in/);
          assert.ok(sink.authAttempts.some((a) => a.accepted));
        } finally {
          await sink.close();
        }
      });
    });
  });
}

describe('the IMAP reader and the account secrets', () => {
  let server: EchoServer;
  before(async () => {
    server = await startEchoingImapServer();
  });
  after(async () => {
    await server?.close();
  });

  // threat: A server echoing `AUTH PLAIN <base64>`
  it('a server echoing the login gets none of the credentials into the reader’s error or its log', async () => {
    const lines: string[] = [];
    const logger = createLogger({ logLevel: 'trace' } as Config, { write: (line: string) => void lines.push(line) });
    const reader = new ImapMailbox(
      {
        host: server.host,
        port: server.port,
        security: 'none',
        user: USER,
        password: PASS,
        retryMs: 100,
        pollMs: 30_000,
        log: { info: (o, m) => logger.info(o, m), error: (o, m) => logger.error(o, m) },
      },
      async () => {},
    );
    reader.start();
    try {
      await waitUntil(
        () => server.received.length >= 1 && lines.length >= 1 && reader.lastError,
        'a refused login, logged',
      );
    } finally {
      await reader.stop();
    }
    assert.equal(server.received[0]!.password, PASS, 'the password travelled (and came back in the refusal)');
    assertClean('the reader’s last error', reader.lastError ?? '');
    for (const line of lines) assertClean('a log line', line);
  });

  // threat: Cloud metadata addresses beyond 169.254.169.254
  it('a metadata address, in any IPv6 embedding, is never connected to', async () => {
    const sockets: unknown[] = [];
    const onSocket = (message: unknown) => sockets.push(message);
    dc.subscribe('net.client.socket', onSocket);
    try {
      for (const host of ['::ffff:0:a9fe:a9fe', '64:ff9b::6464:64c8', '2002:c000:c0::1', '168.63.129.16']) {
        const reader = new ImapMailbox(
          {
            host,
            port: 993,
            security: 'tls',
            user: USER,
            password: PASS,
            retryMs: 50,
            log: { info: () => {}, error: () => {} },
          },
          async () => {},
        );
        reader.start();
        try {
          await waitUntil(() => reader.lastError, `the reader's refusal of ${host}`);
        } finally {
          await reader.stop();
        }
        assert.match(reader.lastError!, /link-local or cloud metadata address/, host);
      }
      assert.deepEqual(sockets, [], 'no connection was attempted');
    } finally {
      dc.unsubscribe('net.client.socket', onSocket);
    }
  });
});
