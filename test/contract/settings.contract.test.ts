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
        { name: 'T', subject: 'S', html: '<p>x</p>', text: null, locale: 'en-US', variants: [], active: false },
        AT,
      );
      assert.equal(t.active, false);
      const u = await storage.settings.updateTemplate(
        t.id,
        { name: 'T2', subject: 'S2', html: '<p>y</p>', text: 'y', locale: 'en-US', variants: [], active: true },
        '2026-03-15T00:00:00.000Z',
      );
      assert.equal(u?.name, 'T2');
      assert.equal(u?.active, true);
      assert.equal(u?.updatedAt, '2026-03-15T00:00:00.000Z');
      assert.ok((await storage.settings.listTemplates()).some((x) => x.id === t.id));
      assert.equal(
        await storage.settings.updateTemplate(
          987_654,
          { name: 'x', subject: 'x', html: 'x', text: null, locale: 'en-US', variants: [], active: true },
          AT,
        ),
        undefined,
      );
      assert.equal(await storage.settings.deleteTemplate(t.id), true);
      assert.equal(await storage.settings.deleteTemplate(t.id), false);
      assert.equal(await storage.settings.findTemplate(t.id), undefined);
    });

    it('stores a template with its variants in one transaction, reads them back everywhere, replaces and removes them', async () => {
      const pt = { locale: 'pt-BR', subject: 'Assunto', html: '<p>Olá</p>', text: null };
      const es = { locale: 'es-ES', subject: 'Asunto', html: '<p>Hola</p>', text: 'Hola' };
      const base = { name: 'Multi', subject: 'Subject', html: '<p>Hi</p>', text: null, active: true };
      const t = await storage.transaction((tx) =>
        tx.settings.createTemplate({ ...base, locale: 'en-US', variants: [pt, es] }, AT),
      );
      assert.equal(t.locale, 'en-US');
      assert.deepEqual(t.variants, [es, pt], 'ordered by locale');
      assert.deepEqual((await storage.settings.findTemplate(t.id))?.variants, [es, pt]);
      assert.deepEqual((await storage.settings.listTemplates()).find((x) => x.id === t.id)?.variants, [es, pt]);
      await storage.settings.setParameter(417, JSON.stringify(t.id), AT, null);
      const { parameters, template } = await storage.settings.getParametersWithTemplate(417);
      assert.equal(parameters.get(417), String(t.id));
      assert.equal(template?.subject, 'Subject');
      assert.deepEqual(template?.variants, [es, pt]);

      const u = await storage.transaction((tx) =>
        tx.settings.updateTemplate(
          t.id,
          { ...base, locale: 'pt-BR', subject: 'Assunto', variants: [{ ...es, locale: 'es-MX' }] },
          AT,
        ),
      );
      assert.equal(u?.locale, 'pt-BR');
      assert.deepEqual(u?.variants, [{ ...es, locale: 'es-MX' }]);
      assert.deepEqual((await storage.settings.findTemplate(t.id))?.variants, [{ ...es, locale: 'es-MX' }]);
      await assert.rejects(
        storage.transaction((tx) =>
          tx.settings.updateTemplate(
            t.id,
            { ...base, locale: 'en-US', variants: [pt, { ...pt, subject: 'again' }] },
            AT,
          ),
        ),
        'the same locale twice is refused by the database',
      );
      const kept = await storage.settings.findTemplate(t.id);
      assert.equal(kept?.locale, 'pt-BR', 'the failed update left nothing half-written');
      assert.deepEqual(kept?.variants, [{ ...es, locale: 'es-MX' }]);
      await storage.settings.setParameter(417, null, AT, null);
      assert.equal(await storage.settings.deleteTemplate(t.id), true);
      assert.deepEqual(
        (await storage.settings.listTemplates()).flatMap((x) => x.variants),
        [],
        'its variants went with it',
      );
    });
  });
}
