/**
 * Several Parley processes on one fresh PostgreSQL database, for the tests of several instances: the world of the
 * fixtures (on the system clock: the processes read real time), the SMTP account pointed at a real SMTP sink, the
 * environment every process shares, and HTTP helpers that speak to an instance or to the proxy as a browser would
 * (session cookie and CSRF token; Server-Sent Events read frame by frame).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createTransport } from 'nodemailer';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { createPostgresDatabase } from './databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from './fixtures.ts';
import { SmtpSink } from './smtp-sink.ts';

/** The key testDeps seals the SMTP password with and signs reply addresses with: every process needs it. */
const SECRET_KEY = 'test-secret-key-that-is-long-enough-for-parley';

export interface FleetScene {
  storage: SqlStorage;
  deps: Deps;
  world: World;
  sink: SmtpSink;
  /** What every `parley` process of the fleet is started with. */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function fleetScene(extraEnv: Record<string, string> = {}): Promise<FleetScene> {
  const db = await createPostgresDatabase();
  const storage = openPostgresStorage(db.url, { max: 4 });
  const sink = await SmtpSink.start();
  const dataDir = mkdtempSync(join(tmpdir(), 'parley-fleet-'));
  const close = async () => {
    await sink.close();
    await storage.close();
    await db.drop();
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    await storage.migrate();
    const deps = testDeps(storage, systemClock);
    const world = await buildWorld(deps);
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
      host: '127.0.0.1',
      port: sink.port,
      security: 'none',
      auth: false,
      user: null,
      password: null,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
    const env = {
      PARLEY_DATABASE_URL: db.url,
      PARLEY_DATA_DIR: dataDir,
      PARLEY_SECRET_KEY: SECRET_KEY,
      PARLEY_PUBLIC_URL: deps.site.publicUrl,
      PARLEY_MAIL_DOMAIN: deps.site.mailDomain,
      PARLEY_SMTP_TIMEOUT_SECONDS: '5',
      PARLEY_RETRY_BASE_SECONDS: '1',
      PARLEY_RETRY_MAX_SECONDS: '2',
      ...extraEnv,
    };
    return { storage, deps, world, sink, env, close };
  } catch (error) {
    await close();
    throw error;
  }
}

export interface Session {
  cookie: string;
  csrf: string;
}

/** Signs in over HTTP at `base` (an instance or the proxy). */
export async function signInAt(base: string, email: string, password = TEST_PASSWORD): Promise<Session> {
  const response = await fetch(`${base}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email, password }),
  });
  if (response.status !== 200) throw new Error(`sign-in at ${base}: ${response.status} ${await response.text()}`);
  const cookie = String(response.headers.get('set-cookie')).split(';')[0]!;
  return { cookie, csrf: ((await response.json()) as { csrfToken: string }).csrfToken };
}

/** A request with the session's cookie (and its CSRF token for writes). */
export function requestAs(session: Session, base: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${base}${path}`, {
    method: body === undefined ? 'GET' : 'POST',
    headers: {
      cookie: session.cookie,
      ...(body === undefined ? {} : { 'content-type': 'application/json', 'x-csrf-token': session.csrf }),
    },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

export interface EventStream {
  status: number;
  ended: boolean;
  events: { event: string; data: string }[];
  close(): void;
}

/** `GET /api/v1/events` with the session's cookie, frames parsed as they arrive (a minimal EventSource). */
export function openEvents(base: string, session: Session): Promise<EventStream> {
  const url = new URL('/api/v1/events', base);
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: url.hostname, port: url.port, path: url.pathname, headers: { cookie: session.cookie } },
      (res) => {
        const stream: EventStream = {
          status: res.statusCode ?? 0,
          ended: false,
          events: [],
          close: () => req.destroy(),
        };
        res.on('end', () => (stream.ended = true));
        res.on('error', () => (stream.ended = true));
        res.on('close', () => (stream.ended = true));
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
        resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

/** The ticket numbers a stream was told of. */
export const ticketEvents = (s: EventStream) =>
  s.events.filter((e) => e.event === 'ticket').map((e) => (JSON.parse(e.data) as { number: number }).number);

/** Sends a plain reply over SMTP; resolves with the server's answer to DATA, or the error's text when refused. */
export async function sendReply(
  port: number,
  mail: { from: string; to: string; messageId: string; text: string },
): Promise<{ accepted: boolean; response: string }> {
  const raw = [
    `From: <${mail.from}>`,
    `To: <${mail.to}>`,
    'Subject: Re: your ticket',
    `Message-ID: ${mail.messageId}`,
    `Date: ${new Date().toUTCString()}`,
    'MIME-Version: 1.0',
    'Content-Type: text/plain; charset=utf-8',
    '',
    mail.text,
    '',
  ].join('\r\n');
  const transport = createTransport({
    host: '127.0.0.1',
    port,
    secure: false,
    ignoreTLS: true,
    connectionTimeout: 3000,
    greetingTimeout: 3000,
    socketTimeout: 5000,
  });
  try {
    const info = await transport.sendMail({ envelope: { from: mail.from, to: [mail.to] }, raw });
    return { accepted: /^250 /.test(info.response), response: info.response };
  } catch (error) {
    return { accepted: false, response: (error as Error).message };
  } finally {
    transport.close();
  }
}
