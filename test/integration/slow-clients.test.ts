/**
 * Slow clients are cut off: HTTP headers or a body sent a byte at a time, an SMTP DATA that never ends; one address
 * cannot hold all of the SMTP receiver's connections; the live-update stream is not cut by the request timeouts.
 * Real servers on 127.0.0.1, port 0, raw sockets, small limits.
 */
import assert from 'node:assert/strict';
import { connect, type Socket } from 'node:net';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import type { RawMail } from '../../src/domain/inbound/inbound-mail.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A raw TCP client that keeps what it receives and knows when the server closed. */
class RawClient {
  received = '';
  closed: Promise<void>;
  isClosed = false;
  private constructor(readonly socket: Socket) {
    socket.setEncoding('latin1');
    socket.on('data', (d: string) => (this.received += d));
    socket.on('error', () => {});
    this.closed = new Promise((resolve) => {
      const done = () => {
        this.isClosed = true;
        resolve();
      };
      socket.once('end', done);
      socket.once('close', done);
    });
  }
  static async open(port: number): Promise<RawClient> {
    const socket = connect(port, '127.0.0.1');
    await new Promise<void>((resolve, reject) => socket.once('connect', resolve).once('error', reject));
    return new RawClient(socket);
  }
  /** Writes one byte at a time, `everyMs` apart, until the text is sent or the server closed the connection. */
  async trickle(text: string, everyMs: number): Promise<number> {
    let sent = 0;
    for (const ch of text) {
      if (this.isClosed || this.socket.destroyed) break;
      this.socket.write(ch);
      sent += 1;
      await sleep(everyMs);
    }
    return sent;
  }
  async waitFor(pattern: RegExp): Promise<RegExpExecArray> {
    for (;;) {
      const m = pattern.exec(this.received);
      if (m) return m;
      if (this.isClosed) throw new Error(`closed before ${pattern}: ${JSON.stringify(this.received)}`);
      await sleep(10);
    }
  }
}

describe('slow HTTP clients are cut off; the live-update stream is not', () => {
  let app: FastifyInstance;
  let storage: SqlStorage;
  let world: World;
  let port: number;
  let deps: ReturnType<typeof testDeps>;

  before(async () => {
    const db = await sqliteMemory.open();
    storage = db.storage;
    deps = testDeps(storage);
    world = await buildWorld(deps);
    app = await buildApp(deps, {
      httpTimeouts: { headersMs: 500, requestMs: 1000, idleMs: 30_000, checkEveryMs: 100 },
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    port = (app.server.address() as { port: number }).port;
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off
  it('headers sent one byte at a time: the server closes the connection before they are done', async () => {
    const client = await RawClient.open(port);
    const headers = `GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n${'X-Slow: padding\r\n'.repeat(40)}\r\n`;
    const sent = await client.trickle(headers, 20);
    await client.closed;
    assert.ok(sent < headers.length, `the server waited for all ${headers.length} bytes`);
    assert.ok(!client.received.includes('200 OK'), 'never answered as if complete');
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off
  it('a body sent one byte at a time: answered 408 and closed', async () => {
    const client = await RawClient.open(port);
    const body = JSON.stringify({ email: 'slow@example.test', password: 'x'.repeat(150) });
    client.socket.write(
      `POST /api/v1/auth/login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n`,
    );
    const sent = await client.trickle(body, 20);
    await client.closed;
    assert.ok(sent < body.length);
    assert.match(client.received, /^HTTP\/1\.1 408/);
  });

  it('a normal request still works, and the live-update stream outlives the request timeouts', async () => {
    const login = await app.inject({
      method: 'POST',
      url: '/api/v1/auth/login',
      payload: { email: world.requesterA.email, password: TEST_PASSWORD },
    });
    const cookie = String(login.headers['set-cookie']).split(';')[0]!;
    const client = await RawClient.open(port);
    client.socket.write(
      `GET /api/v1/events HTTP/1.1\r\nHost: 127.0.0.1\r\nCookie: ${cookie}\r\nAccept: text/event-stream\r\n\r\n`,
    );
    await client.waitFor(/event: ready/);
    await sleep(2_500); // well past the 0.5 s headers and 1 s request limits, checked every 0.1 s
    assert.equal(client.isClosed, false, 'the stream was cut');
    await postMessage(deps, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'Still listening?',
      source: 'desk',
    });
    await client.waitFor(new RegExp(`event: ticket\\ndata: \\{"number":${world.ticketA.number}\\}`));
    client.socket.destroy();
  });
});

describe('the SMTP receiver cuts off a DATA that never ends and caps connections per address', () => {
  let receiver: SmtpReceiver;
  const stored: RawMail[] = [];

  before(async () => {
    receiver = new SmtpReceiver({
      host: '127.0.0.1',
      port: 0,
      name: 'desk.example.test',
      maxBytes: 1024 * 1024,
      dataTimeoutMs: 1_000,
      maxConnectionsPerAddress: 2,
      store: async (mail) => {
        stored.push(mail);
        return stored.length;
      },
      onError: () => {},
    });
    await receiver.start();
  });
  after(async () => {
    await receiver.stop();
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off
  it('DATA one byte at a time: 421 at the deadline, the connection closed, nothing stored', async () => {
    const client = await RawClient.open(receiver.port);
    await client.waitFor(/^220 /m);
    for (const command of [
      'EHLO slow.example.test',
      'MAIL FROM:<slow@example.test>',
      'RCPT TO:<help@desk.example.test>',
    ]) {
      client.received = '';
      client.socket.write(`${command}\r\n`);
      await client.waitFor(/^250 /m);
    }
    client.socket.write('DATA\r\n');
    await client.waitFor(/^354 /m);
    const mail = `Subject: slow\r\n\r\n${'x'.repeat(2_000)}\r\n.\r\n`;
    const sent = await client.trickle(mail, 5);
    await client.closed;
    assert.ok(sent < mail.length, 'the whole mail was accepted a byte at a time');
    assert.match(client.received, /^421 4\.4\.2 /m);
    assert.equal(stored.length, 0);
  });

  // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; one address cannot hold all of the receiver's connections
  it('a third connection from the same address is refused with 421; once one closes, another is welcome', async () => {
    const first = await RawClient.open(receiver.port);
    const second = await RawClient.open(receiver.port);
    await first.waitFor(/^220 /m);
    await second.waitFor(/^220 /m);
    const third = await RawClient.open(receiver.port);
    await third.closed;
    assert.match(third.received, /^421 4\.7\.0 Too many connections/m);
    assert.doesNotMatch(third.received, /^220 /m);

    first.socket.write('QUIT\r\n');
    await first.closed;
    let fourth: RawClient | undefined;
    // The receiver counts the closed connection out when its socket closes on its side too: try until it has.
    for (let i = 0; i < 100 && !fourth; i++) {
      const attempt = await RawClient.open(receiver.port);
      const greeted = await Promise.race([
        attempt.waitFor(/^220 /m).then(() => true),
        attempt.closed.then(() => false),
      ]);
      if (greeted) fourth = attempt;
      else await sleep(20);
    }
    assert.ok(fourth, 'a new connection is welcome after one closed');
    second.socket.destroy();
    fourth.socket.destroy();
  });
});
