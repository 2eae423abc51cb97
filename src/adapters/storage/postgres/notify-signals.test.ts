import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { postMessage } from '../../../domain/messages/post-message.ts';
import { createPostgresDatabase } from '../../../../test/support/databases.ts';
import { buildWorld, testDeps } from '../../../../test/support/fixtures.ts';
import { waitUntil } from '../../../../test/support/smtp-sink.ts';
import type { Database } from '../sql/schema.ts';
import { NotifySignals, TICKET_PAYLOAD_MAX, notificationsOf } from './notify-signals.ts';
import { openPostgresStorage } from './postgres-storage.ts';
import type { SqlStorage } from '../sql/sql-storage.ts';

/**
 * Records the text of every query sent by any connection but `listener` while `recording` is on; `restore()` puts
 * pg's query back. Installed before any connection opens: the storage binds each connection's query when it opens.
 */
function recordQueries(listener: pg.Client) {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const record = { sent: [] as string[], recording: false, restore: () => void (proto.query = original) };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0] as string | { text?: string };
    if (record.recording && this !== listener)
      record.sent.push(typeof first === 'string' ? first : (first?.text ?? ''));
    return original.apply(this, args);
  };
  return record;
}

/** A migrated storage on a database of its own, a listener (not connected), the queries recorded; then cleaned up. */
async function withStorage(
  test: (t: { storage: SqlStorage; listener: pg.Client; record: ReturnType<typeof recordQueries> }) => Promise<void>,
) {
  const db = await createPostgresDatabase();
  const storage = openPostgresStorage(db.url, { max: 2 });
  const listener = new pg.Client({ connectionString: db.url });
  const record = recordQueries(listener);
  try {
    await storage.migrate();
    await test({ storage, listener, record });
  } finally {
    record.restore();
    await listener.end().catch(() => {});
    await storage.close().catch(() => {});
    await db.drop();
  }
}

describe('the NOTIFYs that follow a commit', () => {
  it('are one per channel: tickets joined, a ticket staff-only only when every change to it was', () => {
    assert.deepEqual(
      notificationsOf([
        { kind: 'outbox' },
        { kind: 'ticket', ticketId: 7, staffOnly: true },
        { kind: 'outbox' },
        { kind: 'ticket', ticketId: 8, staffOnly: true },
        { kind: 'ticket', ticketId: 7, staffOnly: false },
        { kind: 'outbox-withdrawn' },
      ]),
      { channels: ['parley_outbox', 'parley_outbox_withdrawn', 'parley_ticket'], payloads: ['', '', '7,s8'] },
    );
    assert.deepEqual(notificationsOf([]), { channels: [], payloads: [] });
  });

  it("split many tickets into several notifications, each under PostgreSQL's payload limit", () => {
    const activities = Array.from({ length: 3000 }, (_, i) => ({
      kind: 'ticket' as const,
      ticketId: 100_000 + i,
      staffOnly: i % 2 === 0,
    }));
    const { channels, payloads } = notificationsOf(activities);
    assert.ok(payloads.length > 1);
    assert.ok(channels.every((c) => c === 'parley_ticket'));
    assert.ok(payloads.every((p) => p.length <= TICKET_PAYLOAD_MAX && p.length > 0));
    const items = payloads.flatMap((p) => p.split(','));
    assert.deepEqual(
      items,
      activities.map((a) => (a.staffOnly ? `s${a.ticketId}` : String(a.ticketId))),
    );
  });

  it('never fail the write they follow: a failure is reported, and delivery resolves', async () => {
    // A server that is not there: the NOTIFY statement fails as on a dropped connection.
    const pool = new pg.Pool({
      connectionString: 'postgres://postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 2000,
    });
    const kysely = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
    const errors: Error[] = [];
    const signals = new NotifySignals(
      kysely,
      async () => async () => {},
      (error) => errors.push(error),
    );
    try {
      signals.deliver([{ kind: 'outbox' }]);
      await signals.flush();
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /ECONNREFUSED|connect/);
      await assert.rejects(signals.signalInbound(3), 'an explicit signal still fails to its caller');
    } finally {
      await kysely.destroy();
    }
  });

  it("are sent after a posted message's statement, never inside it, and every listener hears them", () =>
    withStorage(async ({ storage, listener, record }) => {
      const deps = testDeps(storage);
      const world = await buildWorld(deps);
      await storage.flushSignals(); // the world's own NOTIFYs, gathered: sent before the listener starts
      await listener.connect();
      const heard: { channel: string; payload: string }[] = [];
      listener.on('notification', (n) => heard.push({ channel: n.channel, payload: n.payload ?? '' }));
      await listener.query('LISTEN parley_outbox');
      await listener.query('LISTEN parley_ticket');
      record.recording = true;
      const posted = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'The printer is fixed.',
        source: 'desk',
      });
      assert.equal(posted.notifications.length, 1, 'a mail to the requester');
      await waitUntil(() => heard.length === 2, 'the listener to hear both');
      record.recording = false;

      const write = record.sent.findIndex((text) => /insert into outbox_entry/.test(text));
      assert.ok(write >= 0, 'the message was written in one statement');
      assert.doesNotMatch(record.sent[write]!, /pg_notify/i, 'no NOTIFY inside the write');
      const notify = record.sent.findIndex((text) => /pg_notify/i.test(text));
      assert.ok(notify > write, 'the NOTIFYs follow the write');
      assert.equal(record.sent.filter((text) => /pg_notify/i.test(text)).length, 1, 'both channels in one statement');
      assert.deepEqual(
        heard.sort((a, b) => a.channel.localeCompare(b.channel)),
        [
          { channel: 'parley_outbox', payload: '' },
          { channel: 'parley_ticket', payload: String(world.ticketA.id) },
        ],
      );
    }));

  it('of a transaction go after its commit, none of a transaction rolled back, and thousands of tickets reach listeners', () =>
    withStorage(async ({ storage, listener, record }) => {
      const world = await buildWorld(testDeps(storage));
      await storage.flushSignals(); // the world's own NOTIFYs, gathered: sent before the listener starts
      await listener.connect();
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(n.payload ?? ''));
      await listener.query('LISTEN parley_ticket');
      const at = () => new Date().toISOString();

      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, at());
          throw new Error('undone');
        }),
        /undone/,
      );
      record.recording = true;
      await storage.transaction(async (tx) => {
        await tx.tickets.updateTicket(world.ticketB.id, { status: 'waiting' }, at());
      });
      await waitUntil(() => heard.length > 0, 'the committed change to be heard');
      record.recording = false;
      assert.deepEqual(heard, [String(world.ticketB.id)], 'nothing of the transaction rolled back');
      const commit = record.sent.findIndex((text) => /^commit$/i.test(text.trim()));
      const notify = record.sent.findIndex((text) => /pg_notify/i.test(text));
      assert.ok(commit >= 0 && notify > commit, `the NOTIFY after the commit: ${JSON.stringify(record.sent)}`);

      // A transaction that touched thousands of tickets (an erasure, teamless tickets moved): every id is heard.
      heard.length = 0;
      const failures: Error[] = [];
      const ids = Array.from({ length: 3000 }, (_, i) => 1_000_000 + i);
      const signals = new NotifySignals(
        storage.kyselyInstance,
        async () => async () => {},
        (error) => failures.push(error),
      );
      signals.deliver(ids.map((ticketId) => ({ kind: 'ticket' as const, ticketId, staffOnly: false })));
      await waitUntil(() => heard.join(',').split(',').length === ids.length, 'every id to be heard');
      assert.deepEqual(heard.join(',').split(',').map(Number), ids);
      assert.ok(heard.length > 1, 'in several notifications');
      assert.deepEqual(failures, []);
    }));

  it('of writes close together go out in one statement that no write waits for; a withdrawal goes at once', () =>
    withStorage(async ({ storage, listener, record }) => {
      record.recording = true;
      const notifies = () => record.sent.filter((text) => /pg_notify/i.test(text));
      await listener.connect();
      const heard: string[] = [];
      listener.on('notification', (n) => heard.push(`${n.channel}:${n.payload ?? ''}`));
      for (const channel of ['parley_ticket', 'parley_outbox', 'parley_outbox_withdrawn'])
        await listener.query(`LISTEN ${channel}`);
      const failures: Error[] = [];
      const signals = new NotifySignals(
        storage.kyselyInstance,
        async () => async () => {},
        (error) => failures.push(error),
        300,
      );
      // Three writes' activities: nothing to wait for, nothing sent yet.
      assert.equal(signals.deliver([{ kind: 'ticket', ticketId: 1, staffOnly: false }, { kind: 'outbox' }]), undefined);
      assert.equal(signals.deliver([{ kind: 'ticket', ticketId: 2, staffOnly: true }]), undefined);
      assert.equal(signals.deliver([{ kind: 'ticket', ticketId: 1, staffOnly: false }, { kind: 'outbox' }]), undefined);
      assert.equal(notifies().length, 0);
      await waitUntil(() => heard.length === 2, 'the gathered NOTIFYs to be heard');
      assert.equal(notifies().length, 1, 'one statement for the three writes');
      assert.deepEqual(heard.sort(), ['parley_outbox:', 'parley_ticket:1,s2']);

      // A withdrawal does not wait for the gathering time, and takes what was gathered with it.
      heard.length = 0;
      signals.deliver([{ kind: 'ticket', ticketId: 3, staffOnly: false }]);
      await signals.deliver([{ kind: 'outbox-withdrawn' }]);
      assert.equal(notifies().length, 2, 'sent before the write that withdrew goes on');
      await waitUntil(() => heard.length === 2, 'the withdrawal to be heard');
      assert.deepEqual(heard.sort(), ['parley_outbox_withdrawn:', 'parley_ticket:3']);
      assert.deepEqual(failures, []);

      // A storage closed right after a write sends its gathered NOTIFY before its connections close.
      heard.length = 0;
      const world = await buildWorld(testDeps(storage));
      // The world's NOTIFYs sent, then a marker: heard in commit order, so once it is, nothing of the world follows.
      await storage.flushSignals();
      await sql`select pg_notify('parley_ticket', 'marker')`.execute(storage.kyselyInstance);
      await waitUntil(() => heard.includes('parley_ticket:marker'), "the world's writes to be heard");
      heard.length = 0;
      await storage.transaction(async (tx) => {
        await tx.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString());
      });
      await storage.close();
      await waitUntil(() => heard.length > 0, 'the last write to be heard');
      assert.deepEqual(heard, [`parley_ticket:${world.ticketA.id}`]);
    }));
});
