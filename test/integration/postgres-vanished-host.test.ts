/**
 * A Parley instance whose host vanishes (a power cut: its link goes down and it answers nothing more) in the middle of
 * a transaction, while it leads the dispatchers: the server notices through the keepalives Parley sets on each of its
 * connections (`adapters/storage/postgres/session-settings.ts`: about 10 s), ends the instance's sessions, and another
 * instance gets the row lock and the lead; the vanished transaction's write is undone. Over a real link: the instance
 * runs in a network namespace of its own, its PostgreSQL server at the other end of a veth pair
 * (`test/support/vanishing-host.ts`). With Linux's default keepalive the server would wait two hours, and the
 * transaction's own time limit (60 s) is longer than the waits below (bounded at 40 s), so only the keepalives pass.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { startVanishingHost, VANISHING_HOST_SKIP } from '../support/vanishing-host.ts';

const INSTANCE = fileURLToPath(new URL('../support/vanishing-instance.ts', import.meta.url));

/** The first line a process prints, or its output so far if it exits first or prints nothing in 60 s. */
function firstLine(child: ChildProcess): Promise<string> {
  let output = '';
  return new Promise((resolve, reject) => {
    setTimeout(() => reject(new Error(`the instance printed no line in 60 s:\n${output}`)), 60_000).unref();
    child.stdout!.on('data', (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('\n')) resolve(output.split('\n')[0]!);
    });
    child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.once('exit', (code) => reject(new Error(`the instance exited (${code}):\n${output}`)));
  });
}

describe('an instance whose host vanishes in the middle of a transaction, on PostgreSQL over a real link', () => {
  // threat: An instance that stops answering in the middle of a transaction (power cut, partition) keeps row locks the others wait for
  it(
    'loses its row locks and the lead to another instance within the keepalives, its write undone',
    { skip: VANISHING_HOST_SKIP, timeout: 180_000 },
    async () => {
      const host = await startVanishingHost();
      const other = openPostgresStorage(host.url, { max: 2 });
      const lead = other.dispatchLeadership();
      try {
        const db = other.kyselyInstance;
        await sql`create table held (id integer primary key, v text not null)`.execute(db);
        await sql`insert into held values (1, 'before')`.execute(db);
        const instance = host.inside(['--import', 'tsx', INSTANCE, host.url]);
        assert.equal(await firstLine(instance), 'holding true', 'the instance leads and holds the row');
        assert.equal(await lead.lead(), false, 'the lead is taken');

        host.vanish();
        // Another instance waits for the row (bounded: a lock kept for ever fails the test instead of hanging it).
        await db.transaction().execute(async (tx) => {
          await sql`set local lock_timeout = '40s'`.execute(tx);
          await sql`update held set v = 'other' where id = 1`.execute(tx);
        });
        // And asks for the lead as a standby dispatcher does, every half second (bounded as well).
        let leads = false;
        for (let i = 0; i < 80 && !leads; i++) {
          leads = await lead.lead();
          if (!leads) await sleep(500);
        }
        assert.ok(leads, 'another instance leads');
        const rows = await sql<{ v: string }>`select v from held where id = 1`.execute(db);
        assert.equal(rows.rows[0]?.v, 'other', 'the vanished write was undone');
        const gone = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
          where client_addr is not null and client_addr <> inet_client_addr()`.execute(db);
        assert.equal(gone.rows[0]?.n, 0, 'the vanished instance’s sessions ended');
      } finally {
        await lead.close();
        await other.close();
        await host.stop();
      }
    },
  );
});
