/**
 * The storage contract of migrations and transactions, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { NewUser } from '../../src/ports/storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';

const AT = '2026-03-14T15:09:26.123Z';

function newUser(email: string, role: NewUser['role'] = 'requester'): NewUser {
  return { role, email, name: `User ${email}`, locale: 'en-US', timeZone: 'UTC', passwordHash: null };
}

for (const database of ALL_DATABASES) {
  describe(`storage contract, migrations and transactions, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;

    before(async () => {
      ({ storage, drop } = await database.open());
    });
    after(async () => {
      await storage.close();
      await drop();
    });

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
