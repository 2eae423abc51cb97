/**
 * Dispatchers sharing a database: one leads (hears the signals, sends the mail as it is queued), the others stand by
 * and lead once it is gone. PostgreSQL decides with an advisory lock freed when the leader's connection ends; on
 * SQLite every dispatcher leads (they share the outbox by its claims, as before).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { LEAD_LOCK_KEYS } from '../../src/adapters/storage/postgres/pg-leadership.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { DISPATCH_POLICY, outbox, scene, SILENT_LOG, type Scene } from '../support/dispatch-scene.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { queuedMail } from '../contract/contract-support.ts';

describe('who leads the dispatchers', () => {
  it('on PostgreSQL: one contender at a time; the lock passes on when the leader closes or its connection is cut', async () => {
    const db = await postgres.open();
    const a = db.storage.dispatchLeadership();
    const b = db.storage.dispatchLeadership();
    try {
      assert.equal(await a.lead(), true);
      assert.equal(await b.lead(), false);
      assert.equal(await b.lead(), false, 'asking again changes nothing');
      assert.equal(await a.lead(), true, 'the leader still leads');

      // The leader's connection is cut (as when its process is killed): the other leads at its next try.
      const [holder] = (
        await sql<{ pid: number }>`select pid from pg_locks where locktype = 'advisory' and granted
          and database = (select oid from pg_database where datname = current_database())
          and classid = ${LEAD_LOCK_KEYS[0]} and objid = ${LEAD_LOCK_KEYS[1]} and objsubid = 2`.execute(
          db.storage.kyselyInstance,
        )
      ).rows;
      await sql`select pg_terminate_backend(${holder!.pid})`.execute(db.storage.kyselyInstance);
      await waitUntil(() => b.lead(), 'the other contender to lead once the connection is cut');
      assert.equal(await a.lead(), false, 'the first no longer leads');

      await b.close();
      await waitUntil(() => a.lead(), 'the first to lead again once the leader closed');
      assert.equal(await b.lead(), false, 'a closed contender never leads');
    } finally {
      await a.close();
      await b.close();
      await db.storage.close();
      await db.drop();
    }
  });

  it('on SQLite: every dispatcher leads', async () => {
    const db = await sqliteMemory.open();
    try {
      assert.equal(await db.storage.dispatchLeadership().lead(), true);
      assert.equal(await db.storage.dispatchLeadership().lead(), true);
    } finally {
      await db.storage.close();
      await db.drop();
    }
  });
});

describe('two dispatchers on one PostgreSQL database', () => {
  let s: Scene;
  before(async () => {
    s = await scene(postgres);
  });
  after(() => s.close());

  const mail = (n: number) =>
    queuedMail(
      { ticketId: s.world.ticketA.id, recipientId: s.world.requesterA.id, toAddress: 'requester.a@example.test' },
      'lead',
      n,
    );
  const sentCount = async () => (await outbox(s.storage)).filter((e) => e.status === 'sent').length;

  it('the leader sends what is queued; the one standing by sends nothing until the leader stops, then leads', async () => {
    // Each its own storage, as in two processes.
    const storages = [openPostgresStorage(s.url, { max: 2 }), openPostgresStorage(s.url, { max: 2 })];
    const claimed = [0, 0];
    const looks = [0, 0];
    const dispatchers = storages.map(
      (storage, i) =>
        new OutboxDispatcher({ ...s.deps, storage, transports: new NodemailerMailTransports() }, DISPATCH_POLICY, {
          pollMs: 60_000,
          log: SILENT_LOG,
          leadership: storage.dispatchLeadership(),
          standbyLookMs: 3_600_000, // no look of its own while the test runs: what it sends, it sent as leader
          onBatch: (r) => {
            looks[i]!++;
            claimed[i]! += r.claimed;
          },
        }),
    );
    try {
      await dispatchers[0]!.start();
      await waitUntil(
        async () => (await outbox(s.storage)).every((e) => e.status === 'sent'),
        'the mail queued before the test sent',
      );
      const before = await sentCount();
      await dispatchers[1]!.start();
      await waitUntil(() => looks[1]! > 0, 'the look of the second at its start (standing by, it looks once)');
      claimed[0] = 0;
      claimed[1] = 0;

      // One at a time: each signal heard by the leader alone (two that both heard it would race for each mail).
      for (const n of [1, 2, 3, 4, 5]) {
        await s.storage.outbox.queueMails([mail(n)], new Date().toISOString());
        // Its batch reported too: a mail is recorded sent before its batch's onBatch runs.
        await waitUntil(
          async () => (await sentCount()) === before + n && claimed[0]! + claimed[1]! === n,
          `mail ${n} sent`,
        );
      }
      assert.deepEqual(claimed, [5, 0], 'the leader sent them all');

      await dispatchers[0]!.stop();
      await s.storage.outbox.queueMails([6, 7, 8].map(mail), new Date().toISOString());
      await waitUntil(
        async () => (await sentCount()) === before + 8 && claimed[0]! + claimed[1]! === 8,
        'three more mails sent',
      );
      assert.deepEqual(claimed, [5, 3], 'the other leads once the first stopped');
      const counts = s.sink.acceptedCounts();
      assert.deepEqual(
        [1, 2, 3, 4, 5, 6, 7, 8].map((n) => counts.get(`<parley.lead.${n}@x.test>`)),
        [1, 1, 1, 1, 1, 1, 1, 1],
        'each mail reached the server once',
      );
    } finally {
      for (const d of dispatchers) await d.stop();
      for (const storage of storages) await storage.close();
    }
  });

  it('a dispatcher standing by takes over the claims of a leader that stalls (still holding the lead), once they end', async () => {
    const holder = s.storage.dispatchLeadership(); // a leader that holds the lock and never renews its claims
    const storage = openPostgresStorage(s.url, { max: 2 });
    const said: string[] = [];
    const looks: { claimed: number; requeued: number }[] = [];
    const standby = new OutboxDispatcher(
      { ...s.deps, storage, transports: new NodemailerMailTransports() },
      DISPATCH_POLICY,
      {
        pollMs: 60_000,
        log: { info: (_o: object, msg: string) => said.push(msg), error() {} },
        leadership: storage.dispatchLeadership(),
        standbyLookMs: 3_600_000, // after its look at start, only a claim's end can make it look
        onBatch: (r) => looks.push({ claimed: r.claimed, requeued: r.requeued }),
      },
    );
    try {
      assert.equal(await holder.lead(), true);
      const before = await sentCount();
      await s.storage.outbox.queueMails([mail(9)], new Date().toISOString());
      const now = Date.now();
      const claimed = await s.storage.outbox.claimOutbox({
        now: new Date(now).toISOString(),
        leaseUntil: new Date(now + 3000).toISOString(),
        token: 'stalled-leader',
        limit: 10,
      });
      assert.equal(claimed.length, 1);
      await standby.start();
      await waitUntil(() => looks.length > 0, 'its look at start');
      assert.deepEqual(looks[0], { claimed: 0, requeued: 0 }, 'at start the claim was still held');
      await waitUntil(async () => (await sentCount()) === before + 1, 'the stalled claim sent by the one standing by');
      assert.deepEqual(
        said.filter((m) => m.startsWith('leading')),
        [],
        'it sent it standing by',
      );
      assert.equal(s.sink.acceptedCounts().get('<parley.lead.9@x.test>'), 1);
    } finally {
      await standby.stop();
      await storage.close();
      await holder.close();
    }
  });
});
