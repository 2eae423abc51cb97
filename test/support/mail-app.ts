/**
 * What the end-to-end mail tests share: Parley in process (the HTTP app on a test clock) with the fixtures' world,
 * its SMTP account at a real sink (test/support/smtp-sink.ts) through Nodemailer's transports, optionally the shipped
 * messaging template in parameter 417, and `deliver()`: one dispatcher batch, then what the sink received, parsed.
 */
import assert from 'node:assert/strict';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { SHIPPED_MESSAGING_TEMPLATE } from '../../src/domain/templates/default-templates.ts';
import { createLogger, dispatchPolicy } from '../../src/main.ts';
import type { TestDatabase } from './databases.ts';
import { buildWorld, TestClock, testDeps, type World } from './fixtures.ts';
import { signIn, type Client } from './http.ts';
import { SmtpSink } from './smtp-sink.ts';

const POLICY = dispatchPolicy(
  loadConfig(
    {
      PARLEY_SECRET_KEY: 'test-secret-key-that-is-long-enough-for-parley',
      PARLEY_DATA_DIR: '/nonexistent/parley-mail-app-test',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  ),
);

export interface MailApp {
  storage: SqlStorage;
  deps: Deps;
  app: FastifyInstance;
  sink: SmtpSink;
  world: World;
  admin: Client;
  /** The shipped messaging template's id when it was asked for (then in parameter 417). */
  templateId: number | null;
  signIn(email: string): Promise<Client>;
  /**
   * Sends what is queued (nothing may fail or be deferred unless `failures` says so) and returns this round's mails,
   * parsed, by first recipient.
   */
  deliver(options?: { failures?: boolean }): Promise<Map<string, ParsedMail>>;
  close(): Promise<void>;
}

export async function mailApp(database: TestDatabase, options: { shippedTemplate?: boolean } = {}): Promise<MailApp> {
  const db = await database.open();
  const deps = testDeps(db.storage, new TestClock());
  const transports = new NodemailerMailTransports({
    maxConnections: 2,
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 5000,
  });
  const sink = await SmtpSink.start();
  const app = await buildApp(deps, {
    logger: createLogger({ logLevel: 'silent' } as Config, { write: () => {} }),
    mail: { transports, catcher: null },
  });
  const close = async () => {
    await app.close();
    transports.closeAll();
    await sink.close();
    await db.storage.close();
    await db.drop();
  };
  try {
    const world = await buildWorld(deps);
    const admin = await signIn(app, world.admin.email);
    const account = await admin.put('/api/v1/admin/smtp-account', {
      host: '127.0.0.1',
      port: sink.port,
      security: 'none',
      auth: false,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
    assert.equal(account.statusCode, 200, account.body);
    let templateId: number | null = null;
    if (options.shippedTemplate) {
      const created = await admin.post('/api/v1/admin/email-templates', SHIPPED_MESSAGING_TEMPLATE);
      assert.equal(created.statusCode, 201, created.body);
      templateId = created.json().id as number;
      assert.equal((await admin.put('/api/v1/admin/parameters/417', { value: templateId })).statusCode, 200);
    }
    return {
      storage: db.storage,
      deps,
      app,
      sink,
      world,
      admin,
      templateId,
      signIn: (email) => signIn(app, email),
      async deliver(options = {}) {
        const from = sink.accepted.length;
        const batch = await dispatchBatch({ ...deps, transports, random: () => 0.5 }, POLICY);
        if (!options.failures) assert.equal(batch.failed + batch.deferred, 0, JSON.stringify(batch));
        const got = new Map<string, ParsedMail>();
        for (const m of sink.accepted.slice(from)) got.set(m.envelope.rcptTo[0]!, await simpleParser(m.raw));
        return got;
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
