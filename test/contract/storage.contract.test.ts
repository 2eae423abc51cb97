/**
 * The storage contract of migrations and transactions, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, migrations and transactions, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('migrates idempotently', async () => {
      assert.deepEqual(await storage.migrate(), []);
      await storage.ping();
    });

    it('rolls a transaction back entirely when it fails', async () => {
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.people.createUser(newUser('rollback@example.test'), AT);
          await tx.people.createGroup('Rollback group');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await storage.people.findUserByEmail('rollback@example.test'), undefined);
      assert.equal(await storage.people.findGroupByName('Rollback group'), undefined);
    });
  });
}
