import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { postMessage } from '../../../domain/messages/post-message.ts';
import { createPostgresDatabase } from '../../../../test/support/databases.ts';
import { buildWorld, testDeps } from '../../../../test/support/fixtures.ts';
import { waitUntil } from '../../../../test/support/smtp-sink.ts';
import type { Database } from '../sql/schema.ts';
import { NotifySignals, notificationsOf } from './notify-signals.ts';
import { openPostgresStorage } from './postgres-storage.ts';

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
      await signals.deliver([{ kind: 'outbox' }]);
      assert.equal(errors.length, 1);
      assert.match(errors[0]!.message, /ECONNREFUSED|connect/);
      await assert.rejects(signals.signalInbound(3), 'an explicit signal still fails to its caller');
    } finally {
      await kysely.destroy();
    }
  });

  it("are sent after a posted message's statement, never inside it, and every listener hears them", async () => {
    const db = await createPostgresDatabase();
    const storage = openPostgresStorage(db.url, { max: 2 });
    const listener = new pg.Client({ connectionString: db.url });
    const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
    const original = proto.query;
    const sent: string[] = [];
    let recording = false;
    // Before any connection opens: the storage binds each connection's query function when it opens.
    proto.query = function (this: unknown, ...args: unknown[]) {
      const first = args[0] as string | { text?: string };
      if (recording && this !== listener) sent.push(typeof first === 'string' ? first : (first?.text ?? ''));
      return original.apply(this, args);
    };
    try {
      await storage.migrate();
      const deps = testDeps(storage);
      const world = await buildWorld(deps);
      await listener.connect();
      const heard: { channel: string; payload: string }[] = [];
      listener.on('notification', (n) => heard.push({ channel: n.channel, payload: n.payload ?? '' }));
      await listener.query('LISTEN parley_outbox');
      await listener.query('LISTEN parley_ticket');
      recording = true;
      const posted = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'The printer is fixed.',
        source: 'desk',
      });
      recording = false;
      assert.equal(posted.notifications.length, 1, 'a mail to the requester');

      const write = sent.findIndex((text) => /insert into outbox_entry/.test(text));
      assert.ok(write >= 0, 'the message was written in one statement');
      assert.doesNotMatch(sent[write]!, /pg_notify/i, 'no NOTIFY inside the write');
      const notify = sent.findIndex((text) => /pg_notify/i.test(text));
      assert.ok(notify > write, 'the NOTIFYs follow the write');
      assert.equal(sent.filter((text) => /pg_notify/i.test(text)).length, 1, 'both channels in one statement');
      await waitUntil(() => heard.length === 2, 'the listener to hear both');
      assert.deepEqual(
        heard.sort((a, b) => a.channel.localeCompare(b.channel)),
        [
          { channel: 'parley_outbox', payload: '' },
          { channel: 'parley_ticket', payload: String(world.ticketA.id) },
        ],
      );
    } finally {
      proto.query = original;
      await listener.end().catch(() => {});
      await storage.close();
      await db.drop();
    }
  });
});
