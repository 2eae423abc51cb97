/**
 * PostgreSQL does not let a client that stopped answering keep what it holds: every connection of the pool has
 * server-side TCP keepalives (a vanished host is let go after about 10 s) and a transaction that waits for its client
 * longer than the limit is ended by the server, its row locks freed and its writes undone, while another instance
 * waiting for that row goes on. The process whose transaction was ended gets an error, not a crash, and its pool
 * goes on with new connections.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { settingsStatement } from '../../src/adapters/storage/postgres/session-settings.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { createPostgresDatabase } from '../support/databases.ts';

describe('PostgreSQL and a client that stops answering', () => {
  let db: { url: string; drop(): Promise<void> };
  let stalled: SqlStorage;
  let other: SqlStorage;
  const errors: Error[] = [];

  before(async () => {
    db = await createPostgresDatabase();
    stalled = openPostgresStorage(db.url, { max: 2, idleInTransactionMs: 1000, onIdleError: (e) => errors.push(e) });
    other = openPostgresStorage(db.url, { max: 2 });
    await sql`create table held (id integer primary key, v text not null)`.execute(other.kyselyInstance);
    await sql`insert into held values (1, 'before')`.execute(other.kyselyInstance);
  });
  after(async () => {
    await stalled.close();
    await other.close();
    await db.drop();
  });

  it('has keepalives and a limit for idle transactions on every pooled connection', async () => {
    const show = async (storage: SqlStorage, name: string) =>
      (await sql<Record<string, string>>`show ${sql.raw(name)}`.execute(storage.kyselyInstance)).rows[0]![name];
    for (const [storage, idle] of [
      [other, '1min'],
      [stalled, '1s'],
    ] as const) {
      assert.equal(await show(storage, 'tcp_keepalives_idle'), '4');
      assert.equal(await show(storage, 'tcp_keepalives_interval'), '2');
      assert.equal(await show(storage, 'tcp_keepalives_count'), '3');
      assert.equal(await show(storage, 'tcp_user_timeout'), '10000');
      assert.equal(await show(storage, 'idle_in_transaction_session_timeout'), idle);
    }
  });

  it('leaves out a setting the server does not know (an older version) and sets the others', async () => {
    await other.kyselyInstance.connection().execute(async (connection) => {
      await sql
        .raw(
          settingsStatement([
            ['parley_no_such_setting', 1],
            ['tcp_keepalives_idle', 7],
          ]),
        )
        .execute(connection);
      const shown = await sql<{ tcp_keepalives_idle: string }>`show tcp_keepalives_idle`.execute(connection);
      assert.equal(shown.rows[0]?.tcp_keepalives_idle, '7');
      await sql.raw(settingsStatement([['tcp_keepalives_idle', 4]])).execute(connection);
    });
  });

  // threat: An instance that stops answering in the middle of a transaction (power cut, partition) keeps row locks the others wait for
  it('frees the row locks of a transaction whose client went quiet, and undoes its writes', async () => {
    // The stalled process locks the row, then stops talking (as a host that lost power looks from the server).
    let locked!: () => void;
    const holding = new Promise<void>((resolve) => (locked = resolve));
    const stalledTransaction = stalled.kyselyInstance.transaction().execute(async (tx) => {
      await sql`update held set v = 'stalled' where id = 1`.execute(tx);
      locked();
      await sleep(3000);
      await sql`update held set v = 'stalled again' where id = 1`.execute(tx);
    });
    const failed = stalledTransaction.then(
      () => undefined,
      (error: Error) => error,
    );
    await holding; // the row is locked before the other instance asks for it
    // Another instance waits for that row (bounded, so that a lock kept for ever fails the test instead of hanging it).
    await other.kyselyInstance.transaction().execute(async (tx) => {
      await sql`set local lock_timeout = '20s'`.execute(tx);
      await sql`update held set v = 'other' where id = 1`.execute(tx);
    });
    const error = await failed;
    assert.ok(error instanceof Error, 'the stalled transaction failed');
    // Told as a dropped connection (logged by `parley`), once, with the server's reason; not thrown at the process.
    assert.deepEqual(
      errors.map((e) => /idle-in-transaction/.test(e.message)),
      [true],
      errors.map((e) => e.message).join('\n'),
    );
    const rows = await sql<{ v: string }>`select v from held where id = 1`.execute(other.kyselyInstance);
    assert.equal(rows.rows[0]?.v, 'other', 'the stalled write was undone');
    // The stalled process goes on: its pool opens a new connection.
    const again = await sql<{ v: string }>`select v from held where id = 1`.execute(stalled.kyselyInstance);
    assert.equal(again.rows[0]?.v, 'other');
  });
});
