/**
 * The storage contract of parameters and templates, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, parameters and templates, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('upserts parameters', async () => {
      await storage.settings.setParameter(9001, JSON.stringify('Desk'), AT, null);
      await storage.settings.setParameter(9001, JSON.stringify('Help desk'), AT, null);
      assert.equal((await storage.settings.getParameters()).get(9001), '"Help desk"');
      await storage.settings.setParameter(9001, null, AT, null);
      assert.equal((await storage.settings.getParameters()).has(9001), false);
    });

    it('creates, updates, lists and deletes templates', async () => {
      const t = await storage.settings.createTemplate(
        { name: 'T', subject: 'S', html: '<p>x</p>', text: null, active: false },
        AT,
      );
      assert.equal(t.active, false);
      const u = await storage.settings.updateTemplate(
        t.id,
        { name: 'T2', subject: 'S2', html: '<p>y</p>', text: 'y', active: true },
        '2026-03-15T00:00:00.000Z',
      );
      assert.equal(u?.name, 'T2');
      assert.equal(u?.active, true);
      assert.equal(u?.updatedAt, '2026-03-15T00:00:00.000Z');
      assert.ok((await storage.settings.listTemplates()).some((x) => x.id === t.id));
      assert.equal(
        await storage.settings.updateTemplate(
          987_654,
          { name: 'x', subject: 'x', html: 'x', text: null, active: true },
          AT,
        ),
        undefined,
      );
      assert.equal(await storage.settings.deleteTemplate(t.id), true);
      assert.equal(await storage.settings.deleteTemplate(t.id), false);
      assert.equal(await storage.settings.findTemplate(t.id), undefined);
    });
  });
}
