/**
 * `GET /api/v1/events` (Server-Sent Events) over real HTTP: who hears about which ticket, a posted message and a
 * mail's state change pushed without a reload, and on PostgreSQL across two Parley processes' worth of connections
 * (two storages, two apps: NOTIFY/LISTEN). No speed is asserted: the waits only keep a hung test from hanging.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createPostgresDatabase, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

interface Stream {
  status: number;
  ended: boolean;
  events: { event: string; data: string }[];
  close(): void;
}

/** A minimal EventSource: GET with a bearer token, frames parsed as they arrive. */
async function listen(app: FastifyInstance, token: string | null): Promise<Stream> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/v1/events', headers: token ? { authorization: `Bearer ${token}` } : {} },
      (res: IncomingMessage) => {
        const stream: Stream = { status: res.statusCode ?? 0, ended: false, events: [], close: () => req.destroy() };
        res.on('end', () => (stream.ended = true));
        let buffer = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            if (event) stream.events.push({ event, data: /^data: (.*)$/m.exec(frame)?.[1] ?? '' });
          }
        });
        res.on('error', () => {});
        resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

const count = (s: Stream, event: string) => s.events.filter((e) => e.event === event).length;
const silentLog = { info() {}, warn() {}, error() {} };

const ticketEvents = (s: Stream) =>
  s.events.filter((e) => e.event === 'ticket').map((e) => JSON.parse(e.data).number as number);

describe('live ticket activity (SQLite, one process)', () => {
  it('a stream opened with an API token ends once the token is revoked (at the next push), as a request would be refused', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    const world = await buildWorld(deps);
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    try {
      const { token, apiToken } = await createApiToken(deps, CLI_ORIGIN, 'tech.a@example.test');
      const stream = await listen(app, token);
      await waitUntil(() => count(stream, 'ready') === 1, 'the stream is ready');
      await deps.storage.sessions.deleteApiToken(world.techA.id, apiToken.id);
      await postMessage(deps, world.requesterA, {
        ticketNumber: world.ticketA.number,
        text: 'Anyone there?',
        source: 'portal',
      });
      await waitUntil(() => stream.ended, 'the stream of the revoked token ended');
      assert.equal(ticketEvents(stream).length, 0, 'nothing was pushed to it after the revoke');
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it('the requester and the technicians who may see the ticket hear of a new message; another requester does not; signed-out callers get 401', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    const world = await buildWorld(deps);
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const streams: Stream[] = [];
    try {
      const anonymous = await listen(app, null);
      assert.equal(anonymous.status, 401);
      anonymous.close();
      const requesterA = await listen(app, (await createApiToken(deps, CLI_ORIGIN, 'req.a@example.test')).token);
      const requesterB = await listen(app, (await createApiToken(deps, CLI_ORIGIN, 'req.b@example.test')).token);
      const techA = await listen(app, (await createApiToken(deps, CLI_ORIGIN, 'tech.a@example.test')).token);
      streams.push(requesterA, requesterB, techA);
      await waitUntil(
        () => streams.every((s) => s.events.some((e) => e.event === 'ready')),
        'every stream to be ready',
      );

      await postMessage(deps, world.techA, { ticketNumber: world.ticketA.number, text: 'Live?', source: 'desk' });
      await waitUntil(
        () => ticketEvents(requesterA).includes(world.ticketA.number),
        'the requester to hear of the message',
      );
      await waitUntil(() => ticketEvents(techA).includes(world.ticketA.number), 'the technician to hear of it');
      // A fence: a change requester B may hear of. Frames go out in order, so once it arrives anything about ticket A
      // would have arrived before it.
      await storage.tickets.updateTicket(world.ticketB.id, { status: 'in_progress' }, new Date().toISOString());
      await waitUntil(() => ticketEvents(requesterB).length > 0, 'requester B to hear of their own ticket');
      assert.deepEqual(
        ticketEvents(requesterB),
        [world.ticketB.number],
        'another requester hears nothing of a ticket that is not theirs',
      );

      // A ticket change (status) is pushed too.
      await storage.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString());
      await waitUntil(() => ticketEvents(requesterA).length >= 2, 'the status change to be pushed');

      // An internal note: the technician hears of it, the requester does not even hear that something happened.
      const requesterBefore = ticketEvents(requesterA).length;
      const techBefore = ticketEvents(techA).length;
      await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Note to self.',
        internal: true,
        source: 'desk',
      });
      await waitUntil(() => ticketEvents(techA).length > techBefore, 'the technician to hear of the note');
      // The fence: a public change of the same ticket, pushed after the note's frames went out.
      await storage.tickets.updateTicket(world.ticketA.id, { status: 'in_progress' }, new Date().toISOString());
      await waitUntil(
        () => ticketEvents(requesterA).length > requesterBefore,
        'the requester to hear of the status change',
      );
      assert.equal(
        ticketEvents(requesterA).length,
        requesterBefore + 1,
        'the status change only: no event for an internal note',
      );

      // A user deactivated while listening loses the stream at the next push.
      await storage.people.updateUser(world.requesterB.id, { active: false });
      await storage.tickets.updateTicket(world.ticketB.id, { status: 'waiting' }, new Date().toISOString());
      await waitUntil(() => requesterB.ended, 'the deactivated user’s stream to end');
      assert.deepEqual(ticketEvents(requesterB), [world.ticketB.number], 'nothing pushed to them any more');
    } finally {
      for (const s of streams) s.close();
      await app.close(); // open streams must not keep it waiting
      await storage.close();
    }
  });
});

describe('live ticket activity across processes (PostgreSQL)', () => {
  it('a message posted through one instance and its mail state recorded by another reach a page served by a third', async () => {
    const db = await createPostgresDatabase();
    const writer = openPostgresStorage(db.url, { max: 2 });
    const other = openPostgresStorage(db.url, { max: 2 });
    const server = openPostgresStorage(db.url, { max: 2 });
    await writer.migrate();
    const world = await buildWorld(testDeps(writer));
    const app = await buildApp(testDeps(server));
    await app.listen({ host: '127.0.0.1', port: 0 });
    let stream: Stream | undefined;
    let techStream: Stream | undefined;
    try {
      stream = await listen(app, (await createApiToken(testDeps(writer), CLI_ORIGIN, 'req.a@example.test')).token);
      techStream = await listen(app, (await createApiToken(testDeps(writer), CLI_ORIGIN, 'tech.a@example.test')).token);
      await waitUntil(
        () => [stream, techStream].every((s) => s!.events.some((e) => e.event === 'ready')),
        'the streams to be ready',
      );
      // An internal note written by another instance: staff only.
      await postMessage(testDeps(writer), world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Internal, across processes.',
        internal: true,
        source: 'desk',
      });
      await waitUntil(
        () => ticketEvents(techStream!).includes(world.ticketA.number),
        'the technician to hear of the note',
      );
      await writer.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString()); // the fence
      await waitUntil(() => ticketEvents(stream!).length > 0, 'the requester to hear of the status change');
      assert.deepEqual(
        ticketEvents(stream),
        [world.ticketA.number],
        'the status change only: nothing of the internal note',
      );
      const posted = await postMessage(testDeps(writer), world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Across processes.',
        source: 'desk',
      });
      await waitUntil(
        () => ticketEvents(stream!).includes(world.ticketA.number),
        'the message to be pushed from the other instance',
      );
      const before = ticketEvents(stream).length;

      // The mail's outcome, recorded by yet another connection (a dispatcher process).
      const at = new Date().toISOString();
      const claimed = await other.outbox.claimOutbox({
        now: new Date(Date.now() + 60_000).toISOString(),
        leaseUntil: new Date(Date.now() + 120_000).toISOString(),
        token: 'live-test',
        limit: 10,
      });
      assert.ok(claimed.some((e) => e.id === posted.notifications[0]!.id));
      await other.outbox.finishOutboxAttempts(
        'live-test',
        claimed.map((e) => ({
          id: e.id,
          outcome: { status: 'sent' as const, at, reply: '250 ok', nextAttemptAt: null },
        })),
      );
      await waitUntil(() => ticketEvents(stream!).length > before, 'the mail state change to be pushed');
    } finally {
      stream?.close();
      techStream?.close();
      await app.close();
      await Promise.all([writer.close(), other.close(), server.close()]);
      await db.drop();
    }
  });
});

describe('the mail waiting for review, live (SQLite)', () => {
  it('staff hear `inbound` when a mail of no ticket is held; requesters do not', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    const world = await buildWorld(deps);
    // Mail of no ticket is for the support mailbox's team (parameter 9016): technician A's group here.
    await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.SUPPORT_MAILBOX_TEAM, world.groupA);
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const ingestor = new InboundIngestor(
      { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 100, maxAttempts: 5 } },
      { sweepMs: 60_000, concurrency: 1, log: silentLog },
    );
    const streams: Stream[] = [];
    try {
      const requester = await listen(app, (await createApiToken(deps, CLI_ORIGIN, 'req.a@example.test')).token);
      const techToken = (await createApiToken(deps, CLI_ORIGIN, 'tech.a@example.test')).token;
      const tech = await listen(app, techToken);
      streams.push(requester, tech);
      await waitUntil(() => streams.every((s) => s.events.some((e) => e.event === 'ready')), 'the streams to be ready');
      await ingestor.start();
      const raw = Buffer.from(
        'From: Stranger <stranger@elsewhere.example>\r\nTo: support@desk.example.test\r\nSubject: Hello\r\nMessage-ID: <live-held-1@elsewhere.example>\r\n\r\nWho reads this?\r\n',
      );
      const sha256 = createHash('sha256').update(raw).digest('hex');
      const id = await receiveMail(deps, {
        raw,
        sha256,
        envelopeFrom: 'stranger@elsewhere.example',
        envelopeTo: ['support@desk.example.test'],
        remoteAddress: '127.0.0.1',
      });
      ingestor.enqueue(id);
      await ingestor.idle();
      assert.equal((await storage.inbound.findInboundMail(id))?.status, 'held');
      await waitUntil(() => count(tech, 'inbound') === 1, 'the technician to hear that a mail waits for review');
      // The fence: a public change of the requester's ticket, pushed after the inbound frame went out.
      await storage.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString());
      await waitUntil(() => ticketEvents(requester).length > 0, 'the requester to hear of the status change');
      assert.equal(count(requester, 'inbound'), 0, 'review is for staff');

      // A reviewer's decision changes the count too.
      const discarded = await app.inject({
        method: 'POST',
        url: `/api/v1/inbound-mail/${id}/discard`,
        headers: { authorization: `Bearer ${techToken}` },
      });
      assert.equal(discarded.statusCode, 200, discarded.body);
      await waitUntil(() => count(tech, 'inbound') === 2, 'the technician to hear that the mail was decided');
    } finally {
      for (const s of streams) s.close();
      await ingestor.stop();
      await app.close();
      await storage.close();
    }
  });
});

describe("signals lost while PostgreSQL's listening connection was down", () => {
  it('pages get `resync` once it is re-opened, and `inbound` crosses processes to staff only', async () => {
    const db = await createPostgresDatabase();
    const writer = openPostgresStorage(db.url, { max: 2 });
    const server = openPostgresStorage(db.url, { max: 2 });
    await writer.migrate();
    const world = await buildWorld(testDeps(writer));
    await setParameter(testDeps(writer), CLI_ORIGIN, world.admin, PARAM.SUPPORT_MAILBOX_TEAM, world.groupA);
    const app = await buildApp(testDeps(server));
    await app.listen({ host: '127.0.0.1', port: 0 });
    const streams: Stream[] = [];
    try {
      const requester = await listen(
        app,
        (await createApiToken(testDeps(writer), CLI_ORIGIN, 'req.a@example.test')).token,
      );
      const tech = await listen(app, (await createApiToken(testDeps(writer), CLI_ORIGIN, 'tech.a@example.test')).token);
      streams.push(requester, tech);
      await waitUntil(() => streams.every((s) => s.events.some((e) => e.event === 'ready')), 'the streams to be ready');

      await writer.signalInbound();
      await waitUntil(
        () => count(tech, 'inbound') === 1,
        'the technician to hear of mail to review from another instance',
      );

      // The server's LISTEN connection is cut (a restart of PostgreSQL, a network blip): signals sent meanwhile are
      // lost, so once it listens again every page is told to refetch.
      const cut = await sql<{
        n: number;
      }>`select count(pg_terminate_backend(pid))::int as n from pg_stat_activity where datname = current_database() and query ilike 'LISTEN%' and pid <> pg_backend_pid()`.execute(
        writer.kyselyInstance,
      );
      assert.ok(cut.rows[0]!.n >= 1, 'a listening connection was cut');
      await waitUntil(
        () => count(requester, 'resync') === 1 && count(tech, 'resync') === 1,
        'both pages to be told to refetch',
        10_000,
      );
      assert.equal(count(requester, 'inbound'), 0, 'review is for staff');
    } finally {
      for (const s of streams) s.close();
      await app.close();
      await Promise.all([writer.close(), server.close()]);
      await db.drop();
    }
  });
});

describe('ticket activity is heard only while a page is open (PostgreSQL)', () => {
  it('no LISTEN before the first stream, one while streams are open, none a linger after the last; pages opened later still hear', async () => {
    const db = await createPostgresDatabase();
    const writer = openPostgresStorage(db.url, { max: 2 });
    const server = openPostgresStorage(db.url, { max: 2 });
    await writer.migrate();
    const world = await buildWorld(testDeps(writer));
    // How many subscriptions to ticket activity the server's storage holds.
    let subscribed = 0;
    const original = server.onTicketActivity.bind(server);
    server.onTicketActivity = async (...args) => {
      const unsubscribe = await original(...args);
      subscribed++;
      return async () => {
        subscribed--;
        await unsubscribe();
      };
    };
    const app = await buildApp(testDeps(server), { eventsLingerMs: 300 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    /** Whether a backend's latest statement is (UN)LISTEN parley_ticket (PostgreSQL shows each backend's latest). */
    const lastTicketListen = async () =>
      (
        await sql<{
          query: string;
        }>`select query from pg_stat_activity where datname = current_database() and query ~* '^\\s*(un)?listen parley_ticket' and pid <> pg_backend_pid()`.execute(
          writer.kyselyInstance,
        )
      ).rows.map((r) => r.query.trim());
    const post = (text: string) =>
      postMessage(testDeps(writer), world.techA, { ticketNumber: world.ticketA.number, text, source: 'desk' });
    const token = (await createApiToken(testDeps(writer), CLI_ORIGIN, 'req.a@example.test')).token;
    const streams: Stream[] = [];
    try {
      await post('Before any page was open.');
      assert.equal(subscribed, 0);
      assert.deepEqual(await lastTicketListen(), [], 'nobody listens to ticket activity: no page is open');

      const first = await listen(app, token);
      const second = await listen(app, token);
      streams.push(first, second);
      await waitUntil(() => count(first, 'ready') === 1 && count(second, 'ready') === 1, 'the streams to be ready');
      assert.equal(subscribed, 1, 'listening once, for both streams');
      assert.deepEqual(await lastTicketListen(), ['LISTEN parley_ticket']);
      await post('While two pages are open.');
      await waitUntil(
        () => ticketEvents(first).length === 1 && ticketEvents(second).length === 1,
        'both pages to hear of it',
      );

      first.close();
      await new Promise((r) => setTimeout(r, 600));
      assert.equal(subscribed, 1, 'one page is still open');
      second.close();
      await waitUntil(() => subscribed === 0, 'the instance to stop listening a linger after the last page left');
      await waitUntil(
        async () => (await lastTicketListen()).includes('UNLISTEN parley_ticket'),
        'PostgreSQL to be told',
      );

      const later = await listen(app, token);
      streams.push(later);
      await waitUntil(() => count(later, 'ready') === 1, 'the later stream to be ready');
      assert.equal(subscribed, 1, 'listening again');
      await post('After the page came back.');
      await waitUntil(() => ticketEvents(later).includes(world.ticketA.number), 'the page opened later to hear of it');
      assert.equal(count(later, 'resync'), 0, 'a page opened afresh has nothing to refetch');
    } finally {
      for (const s of streams) s.close();
      await app.close();
      await Promise.all([writer.close(), server.close()]);
      await db.drop();
    }
  });
});

describe('a live-update stream that cannot listen (SQLite)', () => {
  it('answers 500 with a code and a sentence, starts no stream, and the next page is listened to once it can', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    await buildWorld(deps);
    const { token } = await createApiToken(deps, CLI_ORIGIN, 'req.a@example.test');
    const original = storage.onTicketActivity.bind(storage);
    let failures = 1;
    storage.onTicketActivity = async (...args) => {
      if (failures-- > 0) throw new Error('the listening connection could not be opened');
      return original(...args);
    };
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const streams: Stream[] = [];
    try {
      const refused = await app.inject({
        method: 'GET',
        url: '/api/v1/events',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(refused.statusCode, 500);
      assert.equal(refused.headers['content-type'], 'application/json; charset=utf-8');
      assert.equal(refused.json().code, 'INTERNAL_ERROR');
      assert.match(refused.json().message, /Something went wrong on our side/);
      assert.doesNotMatch(refused.body, /listening connection|at .*\.ts/, 'no cause or stack for the caller');

      const stream = await listen(app, token);
      streams.push(stream);
      await waitUntil(() => count(stream, 'ready') === 1, 'the next stream to be ready');
    } finally {
      for (const s of streams) s.close();
      await app.close();
      await storage.close();
    }
  });
});

describe('a live-update stream asked for while the server stops (SQLite)', () => {
  it('is refused with 503, a sentence and the connection closed, once its listening is in place, and the server stops', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    await buildWorld(deps);
    const { token } = await createApiToken(deps, CLI_ORIGIN, 'req.a@example.test');
    const original = storage.onTicketActivity.bind(storage);
    let subscribing: (() => void) | undefined;
    const asked = new Promise<void>((resolve) => {
      storage.onTicketActivity = async (...args) => {
        resolve();
        await new Promise<void>((go) => (subscribing = go)); // held until the server has begun to stop
        return original(...args);
      };
    });
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const { port } = app.server.address() as { port: number };
    let req: ReturnType<typeof httpRequest> | undefined;
    let closed: Promise<undefined> | undefined;
    try {
      const answer = new Promise<{ status: number; connection: string | undefined; body: string }>(
        (resolve, reject) => {
          req = httpRequest(
            { host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } },
            (res) => {
              let body = '';
              res.setEncoding('utf8').on('data', (chunk: string) => (body += chunk));
              res.on('end', () => resolve({ status: res.statusCode ?? 0, connection: res.headers.connection, body }));
            },
          );
          req.on('error', reject);
          req.end();
        },
      );
      await asked;
      closed = app.close();
      await new Promise((r) => setTimeout(r, 50)); // preClose has run: the server is stopping
      subscribing!();
      // Within 10 s, or fail (a stream left open would keep both waiting for good).
      const deadline = <T>(what: string, p: Promise<T>) =>
        Promise.race([
          p,
          new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`${what} within 10 s`)), 10_000).unref()),
        ]);
      const { status, connection, body } = await deadline('an answer', answer);
      assert.equal(status, 503);
      assert.equal(JSON.parse(body).code, 'SERVER_CLOSING');
      assert.match(JSON.parse(body).message, /stopping/);
      assert.equal(connection, 'close', 'a kept-alive connection would keep the stopping server waiting');
      await deadline('the server to stop', closed); // no stream was left open to keep it waiting
    } finally {
      req?.destroy();
      subscribing?.();
      await (closed ?? app.close()).catch(() => {});
      await storage.close();
    }
  });
});
