/**
 * An erasure on PostgreSQL while other processes decide the person's mail (READ COMMITTED: each of the erasure's
 * statements sees what committed before it). A hook on `pg.Client.prototype.query` lets another process work just
 * before a chosen statement of the erasure is sent: the ingestor recording the sender of an unread mail between the
 * erasure's look-ups of their mail, a reviewer attaching a held mail of theirs after the erasure read which of their
 * mails became messages. Either way nothing of theirs is left.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sql } from 'kysely';
import pg from 'pg';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { postgres } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { rawMail, storeMail } from '../support/stored-mail.ts';

/** Before the first statement (of any connection) whose SQL holds `marker`, `work` runs; once. */
let hook: { marker: string; work: () => Promise<void> } | null = null;
type Query = (this: pg.Client, ...args: unknown[]) => unknown;
const query = pg.Client.prototype.query as unknown as Query;
(pg.Client.prototype as unknown as { query: Query }).query = function (this: pg.Client, ...args: unknown[]) {
  const first = args[0] as string | { text?: string } | undefined;
  const text = typeof first === 'string' ? first : first?.text;
  const now = hook;
  if (now && typeof text === 'string' && text.includes(now.marker)) {
    hook = null;
    return now.work().then(() => query.apply(this, args));
  }
  return query.apply(this, args);
};

describe('an erasure while their mail is decided, on PostgreSQL', () => {
  let storage: SqlStorage;
  let drop: () => Promise<void>;
  let deps: Deps;
  let w: World;
  let app: FastifyInstance;
  let admin: Client;
  const inboundDeps = () => ({
    ...deps,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
  });
  /**
   * Starts `work` and returns once it has ended or waits for a row lock (the erasure's, whose statement is held back
   * until then): its outcome, to be awaited after the erasure.
   */
  async function meanwhile<T>(work: () => Promise<T>): Promise<{ outcome: Promise<T> }> {
    let ended = false;
    const outcome = work().finally(() => (ended = true));
    outcome.catch(() => undefined);
    const waiting = async () =>
      (
        await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where datname = current_database() and wait_event_type = 'Lock'`.execute(storage.kyselyInstance)
      ).rows[0]!.n > 0;
    await waitUntil(async () => ended || (await waiting()), 'the work ended or waiting for a lock');
    return { outcome };
  }
  before(async () => {
    ({ storage, drop } = await postgres.open());
    deps = testDeps(storage, new TestClock());
    w = await buildWorld(deps);
    // Every event queued to a webhook, so that a delivery about their mail (`inbound.held`) is one more trace to find.
    await endpointForEveryEvent(deps);
    app = await testApp(deps);
    admin = await signIn(app, w.admin.email);
  });
  after(async () => {
    await app.close();
    await storage.close();
    await drop();
  });

  // threat: A mail of a requester decided while they are erased
  it('the ingestor records the sender of an unread mail of theirs during the erasure: the mail is erased', async () => {
    const NAME = 'Rosalina Corrida';
    const EMAIL = 'rosalina.c@example.org';
    const input = { role: 'requester' as const, email: EMAIL, name: NAME, password: TEST_PASSWORD };
    const id = (await createUser(deps, CLI_ORIGIN, input)).id;
    // Their mail by IMAP (no envelope sender), waiting for the ingestor: its sender not read yet.
    const mailId = await storeMail(
      deps,
      rawMail([
        `From: "${NAME}" <${EMAIL}>`,
        'To: help@desk.example.test',
        'Subject: Help',
        'Message-ID: <race-1@mail.example.org>',
        '',
        'My tax id is TAXRACE-3141.',
      ]),
      { from: null, to: [], remoteAddress: 'imap:imap.example.test' },
    );
    // The ingestor decides it just before the erasure scans the originals of the mail whose sender was never read.
    let ingested: Promise<unknown> = Promise.resolve();
    hook = {
      marker: 'substr(raw',
      work: async () => {
        ingested = (await meanwhile(() => processInboundMail(inboundDeps(), mailId))).outcome;
      },
    };
    try {
      const erased = await admin.post(`/api/v1/admin/users/${id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(hook, null, 'the hook ran');
      assert.equal(erased.json().inboundMails, 1);
    } finally {
      hook = null;
    }
    await ingested;
    const mail = await storage.inbound.findInboundMail(mailId);
    assert.equal(mail?.fromAddress, null);
    assert.notEqual(mail?.rawRemovedAt, null);
    assert.deepEqual(await tracesIn(storage, [EMAIL, NAME, 'TAXRACE-3141']), []);
  });

  // threat: A mail of a requester decided while they are erased
  it('a reviewer attaches a held mail of theirs during the erasure: no note, no mail of it', async () => {
    const NAME = 'Genoveva Anexada';
    const EMAIL = 'genoveva.a@example.org';
    const input = { role: 'requester' as const, email: EMAIL, name: NAME, password: TEST_PASSWORD };
    const id = (await createUser(deps, CLI_ORIGIN, input)).id;
    const mailId = await storeMail(
      deps,
      rawMail([
        `From: "${NAME}" <${EMAIL}>`,
        'To: help@desk.example.test',
        'Subject: Printer',
        'Message-ID: <race-2@mail.example.org>',
        '',
        'My PIN is PINRACE-2718.',
      ]),
      { from: EMAIL, to: ['help@desk.example.test'], remoteAddress: '192.0.2.9' },
    );
    assert.equal((await processInboundMail(inboundDeps(), mailId))?.status, 'held');
    // The attach (public, on a ticket not theirs) comes once the erasure has read which of their mails became
    // messages: just before it reads the mail that copied them (`lower(cc)`, the outbox's first statement).
    let attached: Promise<{ statusCode: number }> = Promise.resolve({ statusCode: 0 });
    hook = {
      marker: 'lower(cc)',
      work: async () => {
        const attach = { ticketNumber: w.ticketB.number, internal: false };
        attached = (await meanwhile(() => admin.post(`/api/v1/inbound-mail/${mailId}/attach`, attach))).outcome;
      },
    };
    try {
      const erased = await admin.post(`/api/v1/admin/users/${id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(hook, null, 'the hook ran');
    } finally {
      hook = null;
    }
    // The attach waited for the erasure, then found the mail discarded.
    assert.equal((await attached).statusCode, 409);
    assert.equal((await storage.inbound.findInboundMail(mailId))?.status, 'discarded');
    assert.deepEqual(await tracesIn(storage, [EMAIL, NAME, 'PINRACE-2718']), []);
  });
});
