/**
 * The storage contract of the running role processes (migration 010), run against every real database Parley
 * supports (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { RoleProcess } from '../../src/domain/processes/role-process.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, useDatabase } from './contract-support.ts';

const at = (seconds: number) => new Date(Date.parse(AT) + seconds * 1000).toISOString();

function roleProcess(id: string, role: RoleProcess['role'], startedAt = AT): RoleProcess {
  return { id, role, host: 'desk-1', pid: 4242, version: '0.1.0', startedAt };
}

for (const database of ALL_DATABASES) {
  describe(`storage contract, processes, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('a heartbeat adds the row once and then only moves when it was seen; a graceful stop removes it', async () => {
      assert.deepEqual(await storage.processes.listProcesses(), []);
      await storage.processes.heartbeat(roleProcess('p1:dispatch', 'dispatch'), at(0));
      // A second heartbeat with other details changes only the time seen: the row says who started.
      await storage.processes.heartbeat({ ...roleProcess('p1:dispatch', 'dispatch'), pid: 1, host: 'x' }, at(5));
      assert.deepEqual(await storage.processes.listProcesses(), [
        { ...roleProcess('p1:dispatch', 'dispatch'), seenAt: at(5) },
      ]);
      await storage.processes.removeProcess('p1:dispatch');
      await storage.processes.removeProcess('never-there');
      assert.deepEqual(await storage.processes.listProcesses(), []);
    });

    it('counts per role the processes seen since a time, with the freshest heartbeat of each role', async () => {
      await storage.processes.heartbeat(roleProcess('a:serve', 'serve'), at(100));
      await storage.processes.heartbeat(roleProcess('a:dispatch', 'dispatch'), at(100));
      await storage.processes.heartbeat(roleProcess('b:dispatch', 'dispatch'), at(130));
      await storage.processes.heartbeat(roleProcess('c:dispatch', 'dispatch'), at(60));
      await storage.processes.heartbeat(roleProcess('d:ingest', 'ingest'), at(50));
      assert.deepEqual(await storage.processes.processLiveness(at(100)), [
        { role: 'dispatch', alive: 2, lastSeenAt: at(130) },
        { role: 'ingest', alive: 0, lastSeenAt: at(50) },
        { role: 'serve', alive: 1, lastSeenAt: at(100) },
      ]);

      assert.equal(await storage.processes.pruneProcesses(at(60)), 1, 'only the row seen before is pruned');
      assert.deepEqual(
        (await storage.processes.listProcesses()).map((p) => p.id),
        ['a:dispatch', 'a:serve', 'b:dispatch', 'c:dispatch'],
      );
      assert.deepEqual(
        (await storage.processes.processLiveness(at(0))).map((r) => r.role),
        ['dispatch', 'serve'],
        'a role without rows is not listed',
      );
    });

    it('refuses a role that is not one of serve, dispatch and ingest', async () => {
      await assert.rejects(storage.processes.heartbeat({ ...roleProcess('z', 'serve'), role: 'web' as 'serve' }, AT));
      assert.equal((await storage.processes.listProcesses()).filter((p) => p.id === 'z').length, 0);
    });
  });
}
