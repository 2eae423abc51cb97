/**
 * The storage contract of the audit log, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { NewAuditEntry } from '../../src/domain/audit/audit-entry.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { useDatabase } from './contract-support.ts';

function entry(at: string, fields: Partial<NewAuditEntry> = {}): NewAuditEntry {
  return {
    at,
    actorId: 7,
    actorName: 'Ada Admin',
    actorEmail: 'ada@example.test',
    address: '203.0.113.9',
    action: 'parameter.set',
    targetType: 'parameter',
    targetId: '417',
    targetLabel: null,
    changes: [{ field: 'value', before: null, after: 3 }],
    ...fields,
  };
}

for (const database of ALL_DATABASES) {
  describe(`storage contract, audit log, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('keeps an entry as written (changes included) and lists the newest first, a page at a time', async () => {
      const written = [
        entry('2026-03-01T10:00:00.000Z'),
        entry('2026-03-02T10:00:00.000Z', {
          action: 'smtp-account.save',
          targetType: 'smtp-account',
          targetId: null,
          changes: [
            { field: 'host', before: 'a.example', after: 'b.example' },
            { field: 'password', withheld: 'secret' },
          ],
        }),
        entry('2026-03-03T10:00:00.000Z', {
          actorId: null,
          actorName: null,
          actorEmail: null,
          address: 'cli',
          action: 'user.create',
          targetType: 'user',
          targetId: '12',
          targetLabel: 'new@example.test',
          changes: [{ field: 'groupIds', after: [1, 2] }],
        }),
      ];
      for (const e of written) await storage.audit.recordAudit(e);
      const first = await storage.audit.listAudit({}, { limit: 2 });
      assert.deepEqual(
        first.items.map(({ id: _id, ...rest }) => rest),
        [written[2], written[1]],
      );
      assert.ok(first.nextCursor);
      const second = await storage.audit.listAudit({}, { cursor: first.nextCursor, limit: 2 });
      assert.deepEqual(
        second.items.map(({ id: _id, ...rest }) => rest),
        [written[0]],
      );
      assert.equal(second.nextCursor, null);
      assert.ok(first.items[0]!.id > first.items[1]!.id && first.items[1]!.id > second.items[0]!.id);
    });

    it('filters by actor, action, target and time (from inclusive, to exclusive)', async () => {
      const all = async (filter: Parameters<SqlStorage['audit']['listAudit']>[0]) =>
        (await storage.audit.listAudit(filter, { limit: 100 })).items.map((e) => e.at);
      assert.deepEqual(await all({ actorId: 7 }), ['2026-03-02T10:00:00.000Z', '2026-03-01T10:00:00.000Z']);
      assert.deepEqual(await all({ actorEmail: 'ada@example.test', action: 'parameter.set' }), [
        '2026-03-01T10:00:00.000Z',
      ]);
      assert.deepEqual(await all({ targetType: 'user', targetId: '12' }), ['2026-03-03T10:00:00.000Z']);
      assert.deepEqual(await all({ targetType: 'user', targetId: '13' }), []);
      assert.deepEqual(await all({ from: '2026-03-02T10:00:00.000Z', to: '2026-03-03T10:00:00.000Z' }), [
        '2026-03-02T10:00:00.000Z',
      ]);
    });

    it('prunes the entries recorded before a time, oldest first, a batch at a time', async () => {
      assert.equal(await storage.audit.pruneAudit('2026-03-03T00:00:00.000Z', 1), 1);
      const left = async () => (await storage.audit.listAudit({}, { limit: 100 })).items.map((e) => e.at);
      assert.deepEqual(await left(), ['2026-03-03T10:00:00.000Z', '2026-03-02T10:00:00.000Z']);
      assert.equal(await storage.audit.pruneAudit('2026-03-03T00:00:00.000Z', 100), 1);
      assert.equal(await storage.audit.pruneAudit('2026-03-03T00:00:00.000Z', 100), 0);
      assert.deepEqual(await left(), ['2026-03-03T10:00:00.000Z']);
    });

    it('is written in the transaction of the change: a rolled-back change leaves no entry', async () => {
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.audit.recordAudit(entry('2026-03-04T10:00:00.000Z', { targetLabel: 'rolled back' }));
          throw new Error('the change failed');
        }),
        /the change failed/,
      );
      const items = (await storage.audit.listAudit({ from: '2026-03-04T00:00:00.000Z' }, { limit: 10 })).items;
      assert.deepEqual(items, []);
      await storage.transaction((tx) => tx.audit.recordAudit(entry('2026-03-04T11:00:00.000Z')));
      assert.equal(
        (await storage.audit.listAudit({ from: '2026-03-04T00:00:00.000Z' }, { limit: 10 })).items.length,
        1,
      );
    });

    it("finds the addresses the log records as a user's, leaving out one another user had", async () => {
      const about = (userId: number, at: string, changes: NewAuditEntry['changes']) =>
        storage.audit.recordAudit(
          entry(at, { action: 'user.edit', targetType: 'user', targetId: String(userId), changes }),
        );
      await about(20, '2026-03-05T10:00:00.000Z', [{ field: 'email', after: 'first@example.test' }]);
      await about(20, '2026-03-05T11:00:00.000Z', [
        { field: 'name', before: 'Ana', after: 'Ana B' },
        { field: 'email', before: 'first@example.test', after: 'Second@example.test' },
      ]);
      await about(20, '2026-03-05T12:00:00.000Z', [
        { field: 'email', before: 'second@example.test', after: 'third@example.test' },
      ]);
      // Another user took the second address later: it is not the first user's alone.
      await about(21, '2026-03-05T13:00:00.000Z', [
        { field: 'email', before: 'other@example.test', after: 'second@example.test' },
      ]);
      assert.deepEqual((await storage.audit.recordedEmailsOf(20)).sort(), ['first@example.test', 'third@example.test']);
      assert.deepEqual(await storage.audit.recordedEmailsOf(22), []);
      // The names it records for them: before and after each rename.
      assert.deepEqual((await storage.audit.recordedNamesOf(20)).sort(), ['Ana', 'Ana B']);
      assert.deepEqual(await storage.audit.recordedNamesOf(21), []);
    });

    it("an erasure withholds the values that name the person's address, and only a whole address", async () => {
      const about = (userId: number, at: string, changes: NewAuditEntry['changes']) =>
        storage.audit.recordAudit(
          entry(at, { action: 'user.edit', targetType: 'user', targetId: String(userId), changes }),
        );
      await about(30, '2026-03-06T10:00:00.000Z', [
        { field: 'email', before: 'x@example.test', after: 'ann@example.test' },
      ]);
      await about(31, '2026-03-06T11:00:00.000Z', [
        { field: 'email', before: 'y@example.test', after: 'JoAnn@example.test' },
      ]);
      await about(32, '2026-03-06T12:00:00.000Z', [
        { field: 'email', before: 'z@example.test', after: 'ann@example.test.br' },
      ]);
      await storage.audit.eraseAuditOf(30, {
        name: 'Erased requester 1',
        email: 'erased-30@erased.invalid',
        formerEmails: ['ann@example.test'],
        outboxIds: [],
      });
      const changesOf = async (userId: number) =>
        (await storage.audit.listAudit({ targetType: 'user', targetId: String(userId) }, { limit: 10 })).items[0]!
          .changes;
      assert.deepEqual(await changesOf(30), [{ field: 'email', withheld: 'erased' }]);
      assert.deepEqual(await changesOf(31), [
        { field: 'email', before: 'y@example.test', after: 'JoAnn@example.test' },
      ]);
      assert.deepEqual(await changesOf(32), [
        { field: 'email', before: 'z@example.test', after: 'ann@example.test.br' },
      ]);
    });
  });
}
