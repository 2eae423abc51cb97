/**
 * Delivery against a real SMTP server (test/support/smtp-sink.ts) through the real Nodemailer transport:
 * retries with growing delays, permanent failures, dropped and silent connections, give-up, undeliverable
 * entries, the mail as it arrives (parsed back with mailparser), the SMTP password kept out of every answer,
 * stored reply and log line, and the administrators' delivery tools (verify, test mail, retry).
 *
 * Time is a TestClock moved between batches; jitter is pinned; the only waits are SMTP timeouts of 1–2 s.
 */
import assert from 'node:assert/strict';
import dc from 'node:diagnostics_channel';
import { inspect } from 'node:util';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type AddressObject, type ParsedMail } from 'mailparser';
import { AesGcmSecretBox } from '../../src/adapters/crypto/aes-gcm-secret-box.ts';
import { NodemailerMailTransports, type TransportOptions } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { dispatchBatch, type BatchResult } from '../../src/domain/notifications/dispatch-outbox.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { readReplyAddress } from '../../src/domain/notifications/reply-address.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { createLogger, dispatchPolicy } from '../../src/main.ts';
import { DeliveryFailure } from '../../src/ports/mail-transport.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { signIn, type Client } from '../support/http.ts';
import { SmtpSink, startSilentServer, waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const BANNER = 'SECRET-BANNER-XYZ';
const TIMEOUTS: TransportOptions = {
  maxConnections: 5,
  connectionTimeoutMs: 1000,
  greetingTimeoutMs: 1000,
  socketTimeoutMs: 2000,
};
/** 0.8 + 0.4 × 0.75 = 1.1: every delay is 10 % above its doubling. */
const JITTER = 0.75;
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

/** The policy as `parley dispatch` builds it from PARLEY_RETRY_BASE_SECONDS=60 and PARLEY_RETRY_MAX_SECONDS=600. */
const POLICY = dispatchPolicy(
  loadConfig(
    {
      PARLEY_RETRY_BASE_SECONDS: '60',
      PARLEY_RETRY_MAX_SECONDS: '600',
      PARLEY_SECRET_KEY: 'test-secret-key-that-is-long-enough-for-parley',
      PARLEY_DATA_DIR: '/nonexistent/parley-delivery-test',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  ),
);

interface Attempt {
  at: string;
  result: string;
  reply: string | null;
  code: string | null;
  params: Record<string, unknown> | null;
}

interface Detail {
  id: number;
  to: string;
  toName: string;
  subject: string;
  html: string;
  text: string;
  status: string;
  messageIdHeader: string;
  attemptCount: number;
  nextAttemptAt: string | null;
  lastReply: string | null;
  lastReplyCode: string | null;
  lastReplyParams: Record<string, unknown> | null;
  attempts: Attempt[];
}

interface Ctx {
  deps: Deps;
  storage: SqlStorage;
  clock: TestClock;
  world: World;
  sink: SmtpSink;
  transports: NodemailerMailTransports;
  app: FastifyInstance;
  admin: Client;
  tech: Client;
  requester: Client;
  logLines: string[];
  dispatch(random?: () => number): Promise<BatchResult>;
  detail(id: number): Promise<Detail>;
  saveAccount(overrides?: Record<string, unknown>): Promise<void>;
}

/** A fresh database, world, sink, transport and app; the SMTP account points at the sink (no TLS, no login). */
async function withDelivery(work: (ctx: Ctx) => Promise<void>): Promise<void> {
  const db = await sqliteMemory.open();
  const clock = new TestClock();
  const deps = testDeps(db.storage, clock);
  const transports = new NodemailerMailTransports(TIMEOUTS);
  const logLines: string[] = [];
  const logger = createLogger({ logLevel: 'trace' } as Config, { write: (line: string) => void logLines.push(line) });
  let sink: SmtpSink | undefined;
  let app: FastifyInstance | undefined;
  try {
    const world = await buildWorld(deps);
    const started = await SmtpSink.start({ banner: BANNER });
    sink = started;
    app = await buildApp(deps, { logger, mail: { transports, catcher: null } });
    const admin = await signIn(app, world.admin.email);
    const ctx: Ctx = {
      deps,
      storage: db.storage,
      clock,
      world,
      sink: started,
      transports,
      app,
      admin,
      tech: await signIn(app, world.techA.email),
      requester: await signIn(app, world.requesterA.email),
      logLines,
      dispatch: (random = () => JITTER) => dispatchBatch({ ...deps, transports, random }, POLICY),
      async detail(id) {
        const r = await admin.get(`/api/v1/admin/outbox/${id}`);
        assert.equal(r.statusCode, 200, r.body);
        return r.json() as Detail;
      },
      async saveAccount(overrides = {}) {
        const r = await admin.put('/api/v1/admin/smtp-account', {
          host: '127.0.0.1',
          port: started.port,
          security: 'none',
          auth: false,
          from: 'desk@example.test',
          fromName: 'Service Desk — Suporte Técnico',
          ...overrides,
        });
        assert.equal(r.statusCode, 200, r.body);
      },
    };
    await ctx.saveAccount();
    await work(ctx);
  } finally {
    await app?.close();
    transports.closeAll();
    await sink?.close();
    await db.storage.close();
  }
}

/** Posts a message through the API; returns the ids of the outbox entries it queued. */
async function post(client: Client, ticketNumber: number, text: string): Promise<number[]> {
  const r = await client.post(`/api/v1/tickets/${ticketNumber}/messages`, { text });
  assert.equal(r.statusCode, 201, r.body);
  const ids = (r.json().notifications as { id: number }[]).map((n) => n.id);
  assert.ok(ids.length > 0, 'the message queued at least one mail');
  return ids;
}

function counts(r: BatchResult) {
  return { claimed: r.claimed, sent: r.sent, deferred: r.deferred, failed: r.failed };
}

const seconds = (from: string, to: string) => (new Date(to).getTime() - new Date(from).getTime()) / 1000;

describe('temporary failures (451), then recovery', () => {
  // threat: SMTP server answers 451 for several minutes
  it('delivers every mail exactly once after the server recovers, none failed, with delays doubling (with jitter) from base to max', async () => {
    await withDelivery(async (ctx) => {
      const ids = [
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'First answer.')),
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Second answer.')),
        ...(await post(ctx.requester, ctx.world.ticketA.number, 'A question back.')),
      ];
      assert.equal(ids.length, 3);
      const headers = await Promise.all(ids.map(async (id) => (await ctx.detail(id)).messageIdHeader));
      ctx.sink.failTemporarily({ at: 'data' });

      // base 60 s × 2^(n-1) × 1.1, capped at the 600 s maximum
      const expected = [66, 132, 264, 528, 600, 600];
      for (const [round, delay] of expected.entries()) {
        assert.deepEqual(
          counts(await ctx.dispatch()),
          { claimed: 3, sent: 0, deferred: 3, failed: 0 },
          `round ${round + 1}`,
        );
        const now = ctx.clock.now().toISOString();
        for (const id of ids) {
          const d = await ctx.detail(id);
          assert.equal(d.status, 'deferred');
          assert.equal(d.attemptCount, round + 1);
          assert.match(d.lastReply ?? '', /^451 4\.3\.0 Try again later/);
          assert.equal(seconds(now, d.nextAttemptAt!), delay, `delay after attempt ${round + 1}`);
        }
        ctx.clock.advance(delay * 1000 - 1000);
        assert.equal((await ctx.dispatch()).claimed, 0, 'nothing is retried before its time');
        ctx.clock.advance(1000);
      }

      ctx.sink.accept();
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 3, sent: 3, deferred: 0, failed: 0 });
      for (const [i, id] of ids.entries()) {
        const d = await ctx.detail(id);
        assert.equal(d.status, 'sent');
        assert.equal(d.nextAttemptAt, null);
        assert.equal(d.attemptCount, 7);
        assert.deepEqual(
          d.attempts.map((a) => a.result),
          ['deferred', 'deferred', 'deferred', 'deferred', 'deferred', 'deferred', 'sent'],
        );
        for (const a of d.attempts.slice(0, 6)) assert.match(a.reply ?? '', /^451 /);
        assert.match(d.attempts[6]!.reply ?? '', /^250 /);
        const gaps = d.attempts.slice(1).map((a, k) => seconds(d.attempts[k]!.at, a.at));
        assert.deepEqual(gaps, expected, 'the attempts were spaced by the growing delays');
        for (const [k, gap] of gaps.entries()) {
          assert.ok(gap >= POLICY.retryBaseSeconds && gap <= POLICY.retryMaxSeconds, `gap ${gap} within [base, max]`);
          if (k > 0) assert.ok(gap >= gaps[k - 1]!, 'never shorter than the previous one');
        }
        assert.equal(ctx.sink.acceptedCount(headers[i]!), 1, 'delivered once');
        assert.equal(ctx.sink.receivedCount(headers[i]!), 7, 'offered seven times with the same Message-ID');
      }
      assert.equal(ctx.sink.accepted.length, 3, 'nothing else was delivered');
      assert.equal(
        (await ctx.admin.get('/api/v1/admin/outbox?status=failed')).json().items.length,
        0,
        'none marked failed',
      );
      ctx.clock.advance(HOUR);
      assert.equal((await ctx.dispatch()).claimed, 0, 'a sent mail is never sent again');
    });
  });

  it('keeps each delay within [base, max] and around its doubling whatever the jitter draws', async () => {
    await withDelivery(async (ctx) => {
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Jitter.');
      ctx.sink.failTemporarily();
      const draws = [0, 0.9999, 0.5, 0, 0.9999, 0.25, 0.9999];
      for (const [k, draw] of draws.entries()) {
        assert.equal((await ctx.dispatch(() => draw)).deferred, 1);
        const d = await ctx.detail(id!);
        const delay = seconds(ctx.clock.now().toISOString(), d.nextAttemptAt!);
        const nominal = Math.min(POLICY.retryMaxSeconds, POLICY.retryBaseSeconds * 2 ** k);
        const low = Math.max(POLICY.retryBaseSeconds, Math.floor(nominal * 0.8));
        const high = Math.min(POLICY.retryMaxSeconds, Math.ceil(nominal * 1.2));
        assert.ok(delay >= low && delay <= high, `attempt ${k + 1}: ${delay} s within [${low}, ${high}]`);
        ctx.clock.advance(delay * 1000);
      }
    });
  });

  it('treats 451 at RCPT like 451 at the end of DATA: deferred, then delivered once', async () => {
    await withDelivery(async (ctx) => {
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Greylisted?');
      ctx.sink.failTemporarily({ at: 'rcpt', count: 2 });
      for (let i = 0; i < 2; i++) {
        assert.equal((await ctx.dispatch()).deferred, 1);
        const d = await ctx.detail(id!);
        assert.match(d.lastReply ?? '', /^451 /);
        ctx.clock.advance(seconds(ctx.clock.now().toISOString(), d.nextAttemptAt!) * 1000);
      }
      assert.equal((await ctx.dispatch()).sent, 1);
      const d = await ctx.detail(id!);
      assert.equal(d.status, 'sent');
      assert.equal(ctx.sink.acceptedCount(d.messageIdHeader), 1);
      assert.deepEqual(
        ctx.sink.rcpts.map((r) => r.code),
        [451, 451, 250],
      );
    });
  });
});

describe('permanent failure (550) for one recipient', () => {
  async function twoRecipients(ctx: Ctx) {
    await createUser(ctx.deps, CLI_ORIGIN, {
      role: 'technician',
      email: 'tech.c@example.test',
      name: 'Carla Técnica',
      password: TEST_PASSWORD,
      groupIds: [ctx.world.groupA],
    });
    const ids = await post(ctx.requester, ctx.world.ticketA.number, 'Still jamming.');
    assert.equal(ids.length, 2, 'both technicians of group A are told');
    const details = await Promise.all(ids.map((id) => ctx.detail(id)));
    const rejected = details.find((d) => d.to === ctx.world.techA.email)!;
    const other = details.find((d) => d.to === 'tech.c@example.test')!;
    return { rejected, other };
  }

  // threat: 550 for one recipient
  it('fails that mail at once with the 550 reply, never retries it, and delivers the other recipient', async () => {
    await withDelivery(async (ctx) => {
      const { rejected, other } = await twoRecipients(ctx);
      ctx.sink.rejectRecipient(ctx.world.techA.email);
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 2, sent: 1, deferred: 0, failed: 1 });

      const failed = await ctx.detail(rejected.id);
      assert.equal(failed.status, 'failed');
      assert.equal(failed.attemptCount, 1);
      assert.equal(failed.nextAttemptAt, null);
      assert.match(failed.lastReply ?? '', /^550 5\.1\.1 <tech\.a@example\.test>: Recipient address rejected/);
      assert.deepEqual(
        failed.attempts.map((a) => [a.result, a.reply?.slice(0, 3)]),
        [['failed', '550']],
      );
      const listed = (await ctx.admin.get('/api/v1/admin/outbox?status=failed')).json().items as Detail[];
      assert.deepEqual(
        listed.map((e) => [e.id, e.lastReply?.slice(0, 3)]),
        [[rejected.id, '550']],
        'administrators see the failure and the reply',
      );
      assert.equal((await ctx.detail(other.id)).status, 'sent');
      assert.equal(ctx.sink.acceptedCount(other.messageIdHeader), 1);
      assert.deepEqual(ctx.sink.accepted[0]!.envelope.rcptTo, ['tech.c@example.test']);

      for (let i = 0; i < 3; i++) {
        ctx.clock.advance(24 * HOUR);
        assert.equal((await ctx.dispatch()).claimed, 0, 'no retry of a permanent failure');
      }
      assert.equal((await ctx.detail(rejected.id)).attemptCount, 1);
      assert.equal(
        ctx.sink.rcpts.filter((r) => r.address === ctx.world.techA.email).length,
        1,
        'the server was asked once',
      );
    });
  });

  it('POST /admin/outbox/{id}/retry makes a failed mail due again with the same Message-ID; a sent one is 409 OUTBOX_NOT_RETRYABLE', async () => {
    await withDelivery(async (ctx) => {
      const { rejected, other } = await twoRecipients(ctx);
      ctx.sink.rejectRecipient(ctx.world.techA.email);
      await ctx.dispatch();
      ctx.sink.accept();

      const retried = await ctx.admin.post(`/api/v1/admin/outbox/${rejected.id}/retry`);
      assert.equal(retried.statusCode, 200, retried.body);
      assert.equal(retried.json().status, 'queued');
      assert.equal(retried.json().nextAttemptAt, ctx.clock.now().toISOString(), 'due now');
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 1, sent: 1, deferred: 0, failed: 0 });
      const d = await ctx.detail(rejected.id);
      assert.equal(d.status, 'sent');
      assert.deepEqual(
        d.attempts.map((a) => a.result),
        ['failed', 'sent'],
      );
      assert.equal(
        ctx.sink.acceptedCount(rejected.messageIdHeader),
        1,
        'delivered with the Message-ID it was queued with',
      );

      for (const id of [rejected.id, other.id]) {
        const again = await ctx.admin.post(`/api/v1/admin/outbox/${id}/retry`);
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().code, 'OUTBOX_NOT_RETRYABLE');
      }
      const missing = await ctx.admin.post('/api/v1/admin/outbox/999999/retry');
      assert.equal(missing.statusCode, 404);
      assert.equal(missing.json().code, 'OUTBOX_ENTRY_NOT_FOUND');
      assert.equal(
        (await ctx.tech.post(`/api/v1/admin/outbox/${rejected.id}/retry`)).statusCode,
        403,
        'administrators only',
      );
    });
  });
});

describe('connections that break or hang', () => {
  // threat: The server accepts DATA then drops the connection before `250`
  it('a connection dropped after DATA, before 250, defers the mail; the retry carries the same Message-ID and it arrives once', async () => {
    await withDelivery(async (ctx) => {
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Did this arrive?');
      const header = (await ctx.detail(id!)).messageIdHeader;
      ctx.sink.dropAfterData({ count: 1 });
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 1, sent: 0, deferred: 1, failed: 0 });
      const deferred = await ctx.detail(id!);
      assert.equal(deferred.status, 'deferred');
      assert.match(deferred.lastReply ?? '', /closed/i);
      assert.equal(deferred.lastReplyCode, 'CONNECTION_CLOSED', 'the reply as a code the web translates');
      assert.deepEqual(
        ctx.sink.received.map((m) => [m.messageId, m.outcome]),
        [[header, 'dropped']],
      );

      ctx.clock.advance(seconds(ctx.clock.now().toISOString(), deferred.nextAttemptAt!) * 1000);
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 1, sent: 1, deferred: 0, failed: 0 });
      assert.deepEqual(
        ctx.sink.received.map((m) => [m.messageId, m.outcome]),
        [
          [header, 'dropped'],
          [header, 'accepted'],
        ],
      );
      assert.equal(ctx.sink.acceptedCount(header), 1);
    });
  });

  // threat: A server that accepts TCP but never greets, or stalls in DATA
  it('a server that accepts TCP but never greets: the attempt times out, the batch returns, the mails are deferred, and flow once it answers', async () => {
    await withDelivery(async (ctx) => {
      const ids = [
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'One.')),
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Two.')),
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Three.')),
      ];
      ctx.sink.neverGreet();
      // The batch returns at all only because the transport's greeting timeout ends the attempt (the test's own
      // timeout would stop a hang).
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 3, sent: 0, deferred: 3, failed: 0 });
      assert.ok(ctx.sink.connectionCount >= 1, 'the dispatcher did connect');
      for (const id of ids) assert.match((await ctx.detail(id)).lastReply ?? '', /did not answer in time/);

      ctx.sink.accept();
      ctx.clock.advance(10 * MINUTE);
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 3, sent: 3, deferred: 0, failed: 0 });
      for (const id of ids) assert.equal(ctx.sink.acceptedCount((await ctx.detail(id)).messageIdHeader), 1);
    });
  });

  it('nothing listening on the port: the attempt fails fast, the mail is deferred with our own sentence', async () => {
    await withDelivery(async (ctx) => {
      const closed = await startSilentServer();
      const port = closed.port;
      await closed.close(); // the port is free again: connections are refused
      await ctx.saveAccount({ port });
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Anyone home?');
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 1, sent: 0, deferred: 1, failed: 0 });
      const d = await ctx.detail(id!);
      assert.equal(d.status, 'deferred');
      assert.match(d.lastReply ?? '', /^The (connection to the SMTP server|mail could not be handed over)/);
      await ctx.saveAccount();
      ctx.clock.advance(10 * MINUTE);
      assert.equal((await ctx.dispatch()).sent, 1, 'sent once the account points at a server again');
      assert.equal(ctx.sink.acceptedCount(d.messageIdHeader), 1);
    });
  });

  // threat: A server that accepts TCP but never greets, or stalls in DATA
  it('a server that stalls in DATA frees the worker after the socket timeout; the other mail of the batch goes out', async () => {
    await withDelivery(async (ctx) => {
      const ids = [
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Stalled?')),
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Not stalled.')),
      ];
      ctx.sink.stallData({ count: 1 });
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 2, sent: 1, deferred: 1, failed: 0 });
      const details = await Promise.all(ids.map((id) => ctx.detail(id)));
      const stalled = details.find((d) => d.status === 'deferred')!;
      assert.match(stalled.lastReply ?? '', /did not answer in time/);
      ctx.clock.advance(10 * MINUTE);
      assert.equal((await ctx.dispatch()).sent, 1);
      for (const d of details) assert.equal(ctx.sink.acceptedCount(d.messageIdHeader), 1);
    });
  });

  // threat: Temporary failures that outlast the configured give-up time (default 5 days; use a fake clock)
  it('gives up on a mail still failing temporarily after giveUpHours: failed, last reply kept, and the ticket shows it', async () => {
    await withDelivery(async (ctx) => {
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Will this ever arrive?');
      ctx.sink.failTemporarily({ text: '4.4.1 Upstream unreachable, try later' });
      assert.equal((await ctx.dispatch()).deferred, 1);
      ctx.clock.advance(POLICY.giveUpHours * HOUR - MINUTE);
      assert.equal((await ctx.dispatch()).deferred, 1, 'one minute before the give-up time it is still retried');
      ctx.clock.advance(5 * MINUTE);
      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 1, sent: 0, deferred: 0, failed: 1 });
      const d = await ctx.detail(id!);
      assert.equal(d.status, 'failed');
      assert.equal(d.nextAttemptAt, null);
      assert.match(d.lastReply ?? '', /Gave up after 120 hours/);
      assert.match(d.lastReply ?? '', /451 4\.4\.1 Upstream unreachable, try later/, 'the last SMTP reply is kept');
      assert.deepEqual(
        [d.lastReplyCode, d.lastReplyParams],
        [
          'GAVE_UP',
          {
            hours: 120,
            last: { code: 'SERVER_REPLY', params: { reply: d.lastReply!.replace(/^.*Last reply: /, '') } },
          },
        ],
      );
      assert.deepEqual(
        d.attempts.map((a) => a.code),
        ['SERVER_REPLY', 'SERVER_REPLY', 'GAVE_UP'],
      );
      assert.deepEqual(
        d.attempts.map((a) => a.result),
        ['deferred', 'deferred', 'failed'],
      );
      const thread = (await ctx.tech.get(`/api/v1/tickets/${ctx.world.ticketA.number}/messages`)).json().items as {
        text: string;
        mail: { status: string }[];
      }[];
      const message = thread.find((m) => m.text === 'Will this ever arrive?')!;
      assert.deepEqual(
        message.mail.map((m) => m.status),
        ['failed'],
        'the ticket shows that the mail did not go out',
      );
      ctx.clock.advance(24 * HOUR);
      assert.equal((await ctx.dispatch()).claimed, 0);
      assert.equal(ctx.sink.accepted.length, 0);

      // An administrator's retry is a new delivery effort: the give-up time and the backoff start again.
      assert.equal((await ctx.admin.post(`/api/v1/admin/outbox/${id}/retry`)).statusCode, 200);
      assert.deepEqual(
        counts(await ctx.dispatch()),
        { claimed: 1, sent: 0, deferred: 1, failed: 0 },
        'not given up at once',
      );
      const retried = await ctx.detail(id!);
      const gap = (Date.parse(retried.nextAttemptAt!) - ctx.clock.now().getTime()) / 1000;
      assert.ok(gap <= POLICY.retryBaseSeconds * 1.2, `the first delay after a retry is the base again (${gap} s)`);
      ctx.sink.accept();
      ctx.clock.advance(gap * 1000);
      assert.equal((await ctx.dispatch()).sent, 1);
      assert.equal(ctx.sink.accepted.length, 1);
    });
  });
});

describe('undeliverable entries', () => {
  // threat: A mail that cannot be rendered or addressed
  it('a mail that cannot be addressed fails at once and does not hold up the others in its batch', async () => {
    await withDelivery(async (ctx) => {
      const ids: number[] = [];
      for (const text of ['A.', 'B.', 'C.', 'D.']) ids.push(...(await post(ctx.tech, ctx.world.ticketA.number, text)));
      const [good, bad, smuggled, badName] = ids as [number, number, number, number];
      const db = ctx.storage.kyselyInstance;
      await db.updateTable('outbox_entry').set({ to_address: 'not an address' }).where('id', '=', bad).execute();
      await db
        .updateTable('outbox_entry')
        .set({ to_address: 'req.a@example.test>\r\nRCPT TO:<evil@example.test' })
        .where('id', '=', smuggled)
        .execute();
      await db
        .updateTable('outbox_entry')
        .set({ to_name: 'Eve\r\nBcc: evil@example.test' })
        .where('id', '=', badName)
        .execute();

      assert.deepEqual(counts(await ctx.dispatch()), { claimed: 4, sent: 2, deferred: 0, failed: 2 });
      for (const id of [bad, smuggled]) {
        const d = await ctx.detail(id);
        assert.equal(d.status, 'failed');
        assert.equal(d.attemptCount, 1);
        assert.match(d.lastReply ?? '', /is not valid/);
        assert.equal(d.lastReplyCode, 'RECIPIENT_INVALID');
      }
      for (const id of [good, badName]) {
        const d = await ctx.detail(id);
        assert.equal(d.status, 'sent', `entry ${id}`);
        assert.equal(ctx.sink.acceptedCount(d.messageIdHeader), 1);
      }
      assert.deepEqual(
        ctx.sink.rcpts.map((r) => r.address),
        ['req.a@example.test', 'req.a@example.test'],
        'no other recipient reached the server',
      );
      const injected = ctx.sink.accepted.find((m) => m.raw.toString('latin1').includes('Eve'))!;
      assert.ok(injected, 'the mail with the odd name arrived');
      const head = injected.raw.toString('latin1').split('\r\n\r\n')[0]!;
      assert.ok(!/^bcc:/im.test(head), `no header was injected through the name:\n${head}`);
      ctx.clock.advance(24 * HOUR);
      assert.equal((await ctx.dispatch()).claimed, 0);
    });
  });
});

describe('an account the dispatcher cannot use', () => {
  it('a dispatcher that cannot open the stored SMTP password (another secret key) gives its claims back instead of throwing with them held', async () => {
    await withDelivery(async (ctx) => {
      ctx.sink.requireAuth({ user: 'desk', pass: 'sealed-with-the-test-key' });
      await ctx.saveAccount({ auth: true, user: 'desk', password: 'sealed-with-the-test-key' });
      const [id] = await post(ctx.tech, ctx.world.ticketA.number, 'Sealed away.');
      const otherKey = {
        ...ctx.deps,
        secrets: new AesGcmSecretBox('a-different-secret-key-that-is-long-enough-for-parley'),
        transports: ctx.transports,
        random: () => JITTER,
      };
      const outcome = await dispatchBatch(otherKey, POLICY).then(
        (result) => ({ result }),
        (error: unknown) => ({ error }),
      );
      const d = await ctx.detail(id!);
      assert.ok(
        !('error' in outcome),
        `dispatchBatch rejected (${'error' in outcome ? String(outcome.error) : ''}) with the mail left ${d.status}`,
      );
      assert.equal(d.status, 'deferred', 'the mail waits for a usable account, not for its lease to end');
      assert.match(d.lastReply ?? '', /secret|password|key/i, 'the reply says why');
    });
  });
});

describe('a batch that cannot read what it needs', () => {
  it('stops renewing its claims when reading the account fails (the database), so the claims expire and the mail is re-queued', async () => {
    await withDelivery(async (ctx) => {
      await post(ctx.tech, ctx.world.ticketA.number, 'Claimed, then the database fails.');
      const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
      const before = timers();
      const settings = new Proxy(ctx.storage.settings, {
        get(target, key, receiver) {
          if (key === 'getParameters') return async () => Promise.reject(new Error('connection lost'));
          const value = Reflect.get(target, key, receiver);
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const failing: typeof ctx.storage = Object.assign(Object.create(ctx.storage) as typeof ctx.storage, { settings });
      await assert.rejects(
        dispatchBatch({ ...ctx.deps, storage: failing, transports: ctx.transports, random: () => JITTER }, POLICY),
        /connection lost/,
      );
      assert.equal(timers(), before, 'no renewal timer is left running for the failed batch');
    });
  });
});

describe('the mail as it arrives', () => {
  const ACCENTED_TITLE = 'Impressora não imprime – café ☕ à noite';
  const LONG = `${'Ábc'.repeat(1666)}xy`; // 5,000 characters, no space to break at

  function addresses(a: AddressObject | AddressObject[] | undefined) {
    return (Array.isArray(a) ? a : a ? [a] : []).flatMap((x) =>
      x.value.map((v) => ({ name: v.name, address: v.address })),
    );
  }

  function assertWireLines(raw: Buffer) {
    const text = raw.toString('latin1');
    assert.ok(!/\r(?!\n)/.test(text), 'no bare CR on the wire');
    assert.ok(!/(?<!\r)\n/.test(text), 'no bare LF on the wire');
    const longest = Math.max(...text.split('\r\n').map((l) => l.length));
    assert.ok(longest <= 998, `no line over 998 characters (longest: ${longest})`);
    const head = text.split('\r\n\r\n')[0]!;
    assert.ok(/^[\x09\x0a\x0d\x20-\x7e]*$/.test(head), 'headers are 7-bit ASCII (RFC 2047 words for everything else)');
  }

  it('carries the sender, the accented recipient and subject, both parts, the Message-ID, threading, Auto-Submitted and a signed Reply-To', async () => {
    await withDelivery(async (ctx) => {
      const ticket = await openTicket(ctx.deps, ctx.world.requesterA, {
        title: ACCENTED_TITLE,
        description: 'Desde ontem.',
        groupId: ctx.world.groupA,
      });
      const text = [
        'Olá João Muñoz,',
        '.',
        'a line with a bare',
        'CR before it',
        LONG,
        'emoji 🎉👩🏽‍💻 and ñ',
        '..',
        'End.',
      ].join('\n');
      const posted = await ctx.tech.post(`/api/v1/tickets/${ticket.number}/messages`, {
        text: text.replace('bare\nCR', 'bare\rCR'),
      });
      assert.equal(posted.statusCode, 201, posted.body);
      const [id] = (posted.json().notifications as { id: number }[]).map((n) => n.id);
      assert.equal(
        posted.json().message.text,
        text,
        'the bare CR was stored as a line break (messages are normalised to LF)',
      );
      assert.equal((await ctx.dispatch()).sent, 1);

      const entry = await ctx.detail(id!);
      const [mail] = ctx.sink.accepted;
      assert.ok(mail);
      assertWireLines(mail.raw);
      const head = mail.raw
        .toString('latin1')
        .split('\r\n\r\n')[0]!
        .replace(/\r\n[ \t]+/g, ' ');
      assert.match(
        head,
        /^To: =\?UTF-8\?[QB]\?[^\r\n]*\?= <req\.a@example\.test>$/im,
        'the name is an RFC 2047 encoded word',
      );
      assert.match(head, /^Subject: =\?UTF-8\?[QB]\?/im);
      // The envelope sender is the mail's signed bounce address (VERP); the From header stays the account's.
      assert.deepEqual(mail.envelope, {
        mailFrom: bounceAddress(ctx.deps.signer, 'desk.example.test', entry.id),
        rcptTo: ['req.a@example.test'],
      });

      const parsed: ParsedMail = await simpleParser(mail.raw);
      assert.deepEqual(addresses(parsed.from), [
        { name: 'Service Desk — Suporte Técnico', address: 'desk@example.test' },
      ]);
      assert.deepEqual(addresses(parsed.to), [{ name: 'João Muñoz', address: 'req.a@example.test' }]);
      assert.equal(parsed.subject, `[#${ticket.number}] New message: ${ACCENTED_TITLE}`);
      assert.equal(parsed.subject, entry.subject);
      assert.equal(parsed.messageId, entry.messageIdHeader);
      assert.match(
        entry.messageIdHeader,
        new RegExp(`^<parley\\.${ticket.number}\\.[0-9a-f]{32}@desk\\.example\\.test>$`),
      );
      const thread = `<parley.ticket.${ticket.number}@desk.example.test>`;
      assert.equal(parsed.inReplyTo, thread);
      assert.deepEqual([parsed.references].flat(), [thread]);
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
      assert.equal((parsed.headers.get('content-type') as { value: string }).value, 'multipart/alternative');

      // both parts, decoded exactly as they were frozen in the outbox
      assert.equal(parsed.text?.replace(/\n$/, ''), entry.text);
      assert.equal(typeof parsed.html, 'string');
      assert.equal((parsed.html as string).replace(/\n$/, ''), entry.html);
      const lines = parsed.text!.split('\n');
      for (const line of [
        'Olá João Muñoz,',
        '.',
        'a line with a bare',
        'CR before it',
        LONG,
        'emoji 🎉👩🏽‍💻 and ñ',
        '..',
        'End.',
      ]) {
        assert.ok(lines.includes(line), `the text part holds the line ${JSON.stringify(line.slice(0, 40))}`);
      }
      assert.ok((parsed.html as string).includes(LONG));

      // Reply-To: reply+<ticket>.<recipient>.<hex>@<mail domain>, signed for this ticket and this recipient
      const [replyTo] = addresses(parsed.replyTo);
      assert.ok(replyTo);
      const m = /^reply\+(\d+)\.(\d+)\.([0-9a-f]+)@desk\.example\.test$/.exec(replyTo.address ?? '');
      assert.ok(m, `Reply-To ${replyTo.address}`);
      assert.equal(Number(m[1]), ticket.number);
      assert.equal(Number(m[2]), ctx.world.requesterA.id);
      assert.deepEqual(readReplyAddress(ctx.deps.signer, replyTo.address!), {
        ticketNumber: ticket.number,
        recipientId: ctx.world.requesterA.id,
      });
      const moved = replyTo.address!.replace(`reply+${ticket.number}.`, `reply+${ctx.world.ticketB.number}.`);
      assert.equal(readReplyAddress(ctx.deps.signer, moved), undefined, 'the token does not work for another ticket');
    });
  });

  // threat: Text containing a lone `.` line, a bare CR, a 5,000-character line, emoji and accented names (`João`, `Muñoz`)
  it('a bare CR, a lone "." line and a 5,000-character line frozen in the outbox arrive intact (the CR as a line break, never bare on the wire)', async () => {
    await withDelivery(async (ctx) => {
      const text = ['first', '.', 'bare\rCR inside', LONG, '.', '', 'last line'].join('\n');
      const NAME = 'Muñoz, João "Jr." <ç>';
      const SUBJECT = `Ação necessária: ${'çãõ ñ ü ☕ 👩🏽‍💻 '.repeat(12)}fim`;
      const html = `<p>${LONG}</p>\n<p>.</p>\n<p>x\ry</p>`;
      // Straight into the outbox (a message posted through the API has its CRs turned into line breaks first).
      const at = ctx.clock.now().toISOString();
      const messageIdHeader = '<parley.raw.1@desk.example.test>';
      await ctx.storage.kyselyInstance
        .insertInto('outbox_entry')
        .values({
          ticket_id: ctx.world.ticketA.id,
          recipient_id: ctx.world.requesterA.id,
          to_address: 'req.a@example.test',
          to_name: NAME,
          subject: SUBJECT,
          html,
          text,
          message_id_header: messageIdHeader,
          status: 'queued',
          next_attempt_at: at,
          attempts_since: at,
          created_at: at,
          updated_at: at,
        })
        .execute();
      assert.equal((await ctx.dispatch()).sent, 1);
      const [mail] = ctx.sink.accepted;
      assert.ok(mail);
      assertWireLines(mail.raw);
      const parsed = await simpleParser(mail.raw);
      assert.equal(parsed.messageId, messageIdHeader);
      assert.equal(
        parsed.subject,
        SUBJECT,
        'a long accented subject, folded into several encoded words, decodes exactly',
      );
      assert.deepEqual(addresses(parsed.to), [{ name: NAME, address: 'req.a@example.test' }]);
      // A bare CR may not travel as such (RFC 5322 §2.3): it arrives as the line break it stood for, nothing lost.
      assert.equal(parsed.text?.replace(/\n$/, ''), text.replace(/\r/g, '\n'));
      assert.equal((parsed.html as string).replace(/\n$/, ''), html.replace(/\r/g, '\n'));
      for (const line of ['.', LONG, 'last line']) assert.ok(parsed.text!.split('\n').includes(line));
    });
  });
});

describe('the SMTP password', () => {
  const SECRET = 'Pw-7f3a9c-Unique-S3cret!';

  it('never appears in an API answer, a stored reply or attempt, or a log line, even after a refused login that echoed it', async () => {
    await withDelivery(async (ctx) => {
      ctx.sink.requireAuth({ rejectAll: true, echoPassword: true });
      await ctx.saveAccount({ auth: true, user: 'desk', password: SECRET });
      const ids = [
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'One.')),
        ...(await post(ctx.tech, ctx.world.ticketA.number, 'Two.')),
      ];

      // The dispatcher as `parley dispatch` runs it, logging through the same pino logger set-up (redactions included).
      const given: unknown[] = [];
      const logger = createLogger({ logLevel: 'trace' } as Config, {
        write: (line: string) => void ctx.logLines.push(line),
      });
      const log = {
        info: (obj: object, msg: string) => (given.push(obj, msg), logger.info(obj, msg)),
        error: (obj: object, msg: string) => (given.push(obj, msg), logger.error(obj, msg)),
      };
      const dispatcher = new OutboxDispatcher(
        { ...ctx.deps, transports: ctx.transports, random: () => JITTER },
        POLICY,
        { pollMs: 50, log },
      );
      await dispatcher.start();
      try {
        await waitUntil(
          async () => (await Promise.all(ids.map((id) => ctx.detail(id)))).every((d) => d.status === 'deferred'),
          'both mails deferred',
          15_000,
        );
      } finally {
        await dispatcher.stop();
      }
      // The password really went to the server and came back in its reply: the rest of this test can fail.
      assert.ok(
        ctx.sink.authAttempts.some((a) => a.password === SECRET && !a.accepted),
        'the sink was sent the password and refused it',
      );
      const verify = await ctx.admin.post('/api/v1/admin/smtp-account/verify');
      assert.equal(verify.json().code, 'SMTP_VERIFY_FAILED');
      const testMail = await ctx.admin.post('/api/v1/admin/smtp-account/test', { to: 'someone@example.test' });
      assert.equal(testMail.statusCode, 200, testMail.body);
      assert.equal(testMail.json().ok, false);
      assert.match(testMail.json().message, /^535 /);

      const answers: [string, string][] = [
        ['verify', verify.body],
        ['test mail', testMail.body],
      ];
      for (const url of [
        '/api/v1/admin/outbox',
        '/api/v1/admin/outbox?status=failed',
        '/api/v1/admin/smtp-account',
        '/api/v1/admin/parameters',
        `/api/v1/admin/parameters/${PARAM.SMTP_PASSWORD}`,
      ]) {
        const r = await ctx.admin.get(url);
        assert.equal(r.statusCode, 200, `${url}: ${r.body}`);
        answers.push([url, r.body]);
      }
      for (const id of ids) {
        const r = await ctx.admin.get(`/api/v1/admin/outbox/${id}`);
        answers.push([`outbox ${id}`, r.body]);
        const d = r.json() as Detail;
        assert.equal(
          d.status,
          'deferred',
          'a refused login is the account’s problem: the mail waits for an administrator to fix it',
        );
        assert.match(d.lastReply ?? '', /^535 .*\[redacted\]/, 'the echoed password was removed from the reply');
      }
      assert.equal(JSON.parse(answers.find(([u]) => u === '/api/v1/admin/smtp-account')![1]).passwordSet, true);
      for (const [where, body] of answers)
        assert.ok(!body.includes(SECRET), `the password is in the answer of ${where}`);

      const db = ctx.storage.kyselyInstance;
      const stored = [
        ...(await db.selectFrom('outbox_entry').select('last_reply as reply').execute()),
        ...(await db.selectFrom('outbox_attempt').select('reply').execute()),
      ].map((r) => r.reply ?? '');
      assert.ok(
        stored.some((r) => r.startsWith('535 ')),
        'the refusal was stored',
      );
      for (const r of stored) assert.ok(!r.includes(SECRET), `stored reply holds the password: ${r}`);
      const sealed = await db
        .selectFrom('system_parameter')
        .select('value')
        .where('id', '=', PARAM.SMTP_PASSWORD)
        .executeTakeFirstOrThrow();
      assert.ok(sealed.value && !sealed.value.includes(SECRET), 'the password is sealed at rest');

      assert.ok(
        ctx.logLines.some((l) => l.includes('"msg":"outbox batch"') && l.includes('"deferred":2')),
        'the dispatcher logged its batch',
      );
      assert.ok(
        ctx.logLines.some((l) => l.includes('/api/v1/admin/smtp-account')),
        'the app logged its requests',
      );
      const plainToken = Buffer.from(`\u0000desk\u0000${SECRET}`).toString('base64');
      for (const line of ctx.logLines) {
        assert.ok(!line.includes(SECRET) && !line.includes(plainToken), `a log line holds the password: ${line}`);
      }
      for (const obj of given)
        assert.ok(!inspect(obj, { depth: 20 }).includes(SECRET), 'an object given to the log holds the password');
    });
  });
});

describe("administrators' delivery tools", () => {
  it('verify: ok against the sink, SMTP_VERIFY_FAILED against a silent server and with wrong credentials, never a banner', async () => {
    await withDelivery(async (ctx) => {
      const answers: string[] = [];
      const verify = async () => {
        const r = await ctx.admin.post('/api/v1/admin/smtp-account/verify');
        assert.equal(r.statusCode, 200, r.body);
        answers.push(r.body);
        return r.json() as { ok: boolean; code: string; message: string };
      };
      const ok = await verify();
      assert.deepEqual([ok.ok, ok.code], [true, 'OK']);
      assert.ok(ctx.sink.connectionCount >= 1, 'it did connect to the sink');

      const silent = await startSilentServer();
      const other = await startSilentServer({ greeting: `SSH-2.0-OpenSSH_9.6 ${BANNER}\r\n` });
      try {
        await ctx.saveAccount({ port: silent.port });
        const timeout = await verify();
        assert.deepEqual([timeout.ok, timeout.code], [false, 'SMTP_VERIFY_FAILED']);
        assert.ok(silent.connections >= 1);

        await ctx.saveAccount({ port: other.port });
        const notSmtp = await verify();
        assert.equal(notSmtp.ok, false);
        assert.notEqual(notSmtp.code, 'OK');
        assert.ok(other.connections >= 1);
      } finally {
        await silent.close();
        await other.close();
      }

      ctx.sink.requireAuth({ user: 'desk', pass: 'the-right-one' });
      await ctx.saveAccount({ auth: true, user: 'desk', password: 'a-wrong-one' });
      const refused = await verify();
      assert.deepEqual([refused.ok, refused.code], [false, 'SMTP_VERIFY_FAILED']);
      await ctx.saveAccount({ auth: true, user: 'desk', password: 'the-right-one' });
      const signedIn = await verify();
      assert.deepEqual([signedIn.ok, signedIn.code], [true, 'OK']);
      assert.ok(ctx.sink.authAttempts.some((a) => a.accepted && a.password === 'the-right-one'));

      for (const body of answers)
        assert.ok(!body.includes(BANNER), `a verify answer echoes the server's banner: ${body}`);
      assert.equal((await ctx.tech.post('/api/v1/admin/smtp-account/verify')).statusCode, 403, 'administrators only');
      assert.equal((await ctx.tech.post('/api/v1/admin/smtp-account/test', { to: 'x@example.test' })).statusCode, 403);
    });
  });

  // threat: An SMTP host of `169.254.169.254` or another link-local/metadata address
  it('169.254.169.254 and other metadata addresses are refused at save (422) and by the transport, which never opens a socket', async () => {
    await withDelivery(async (ctx) => {
      const save = await ctx.admin.put('/api/v1/admin/smtp-account', {
        host: '169.254.169.254',
        port: 25,
        security: 'none',
        auth: false,
        from: 'desk@example.test',
      });
      assert.equal(save.statusCode, 422);
      assert.equal(save.json().code, 'PARAMETER_INVALID');
      assert.equal(
        (await ctx.admin.get('/api/v1/admin/smtp-account')).json().host,
        '127.0.0.1',
        'the account was left as it was',
      );

      const sockets: string[] = [];
      const onSocket = (message: unknown) =>
        sockets.push(inspect((message as { socket?: unknown }).socket ? 'socket' : message));
      dc.subscribe('net.client.socket', onSocket);
      try {
        // The probe sees sockets: verifying the sink opens one.
        assert.equal(
          (
            await ctx.transports
              .forSettings({
                host: '127.0.0.1',
                port: ctx.sink.port,
                security: 'none',
                auth: false,
                user: null,
                password: null,
                allowInvalidCertificate: false,
              })
              .verify()
          ).ok,
          true,
        );
        assert.ok(sockets.length >= 1, 'the socket probe works');
        sockets.length = 0;
        for (const host of [
          '169.254.169.254',
          '169.254.170.2',
          'fe80::1',
          '::ffff:169.254.169.254',
          '[fd00:ec2::254]',
          'metadata.google.internal',
        ]) {
          const transport = ctx.transports.forSettings({
            host,
            port: 25,
            security: 'none',
            auth: false,
            user: null,
            password: null,
            allowInvalidCertificate: false,
          });
          const result = await transport.verify();
          assert.deepEqual([result.ok, result.code], [false, 'SMTP_HOST_FORBIDDEN'], host);
          await assert.rejects(
            transport.send({
              from: { name: null, address: 'desk@example.test' },
              to: { name: 'X', address: 'x@example.test' },
              replyTo: null,
              subject: 's',
              text: 't',
              html: '<p>t</p>',
              messageId: '<forbidden@desk.example.test>',
              inReplyTo: null,
              references: [],
              headers: {},
            }),
            (error: unknown) => error instanceof DeliveryFailure && error.permanent,
            host,
          );
        }
        assert.deepEqual(sockets, [], 'no connection was attempted to a forbidden host');
      } finally {
        dc.unsubscribe('net.client.socket', onSocket);
      }
    });
  });

  it('sends the test mail in the administrator’s language, and says how it went as a code with the server’s reply', async () => {
    await withDelivery(async (ctx) => {
      assert.equal((await ctx.admin.patch('/api/v1/me', { locale: 'pt-BR' })).statusCode, 200);
      const r = await ctx.admin.post('/api/v1/admin/smtp-account/test', { to: 'check@example.test' });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as { ok: boolean; code: string; result: { code: string; params: { reply: string } } };
      assert.equal(body.code, 'SENT');
      assert.equal(body.result.code, 'SERVER_REPLY');
      assert.match(body.result.params.reply, /^250 /);
      const parsed = await simpleParser(ctx.sink.accepted.at(-1)!.raw);
      assert.equal(parsed.subject, 'E-mail de teste do Parley');
      assert.match(parsed.text ?? '', /Este é um e-mail de teste do Parley/);
    });
  });

  it('POST /admin/smtp-account/test delivers a test mail to the sink now', async () => {
    await withDelivery(async (ctx) => {
      const r = await ctx.admin.post('/api/v1/admin/smtp-account/test', { to: 'check@example.test' });
      assert.equal(r.statusCode, 200, r.body);
      const body = r.json() as { ok: boolean; message: string; messageId: string };
      assert.equal(body.ok, true, body.message);
      assert.ok(!body.message.includes(BANNER));
      const [mail] = ctx.sink.accepted;
      assert.ok(mail, 'the sink received it');
      assert.equal(mail.messageId, body.messageId);
      assert.deepEqual(mail.envelope.rcptTo, ['check@example.test']);
      const parsed = await simpleParser(mail.raw);
      assert.equal(parsed.subject, 'Parley test mail');
      assert.equal(parsed.headers.get('auto-submitted'), 'auto-generated');
      assert.equal((await ctx.admin.get('/api/v1/admin/outbox')).json().items.length, 0, 'not through the outbox');
    });
  });
});
