/**
 * Migration 018 on a database that already holds templates: each one's content becomes its default variant, in
 * en-US, with no other variant; the template keeps its id, name and state, parameter 417 still names it, and it takes
 * new variants afterwards. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { types } from '../../migrations/dialect-types.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { chooseVariant } from '../../src/domain/templates/template-variant.ts';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

async function before018(storage: SqlStorage) {
  await migrateBefore(storage, '018');
  const db = storage.kyselyInstance;
  const at = '2026-01-01T00:00:00.000Z';
  const t = types(db);
  await sql`insert into email_template (name, subject, html, text, active, created_at, updated_at)
    values ('Messaging', 'Ticket $\{IDSERVICEREQUEST}', '<p>$\{COMMENTTEXT}</p>', null, ${t.true}, ${at}, ${at}),
           ('Old', 'Old subject', '<p>old</p>', 'old text', ${t.false}, ${at}, ${at})`.execute(db);
  await sql`insert into system_parameter (id, value, updated_at) values (417, '1', ${at})`.execute(db);
}

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 018 on ${database.name}`, () => {
    it('makes every existing template its default variant, in en-US', async () => {
      const { storage, drop } = await database.open();
      try {
        await before018(storage);
        assert.ok((await storage.migrate()).includes('018-template-variants'));
        const [messaging, old] = await storage.settings.listTemplates();
        assert.deepEqual(
          [messaging, old].map((t) => [
            t!.id,
            t!.name,
            t!.locale,
            t!.subject,
            t!.html,
            t!.text,
            t!.active,
            t!.variants,
          ]),
          [
            [1, 'Messaging', 'en-US', 'Ticket ${IDSERVICEREQUEST}', '<p>${COMMENTTEXT}</p>', null, true, []],
            [2, 'Old', 'en-US', 'Old subject', '<p>old</p>', 'old text', false, []],
          ],
        );
        const { template } = await storage.settings.getParametersWithTemplate(417);
        assert.equal(template?.id, 1);
        assert.equal(chooseVariant(template!, 'pt-BR').subject, 'Ticket ${IDSERVICEREQUEST}', 'every locale gets it');

        const pt = { locale: 'pt-BR', subject: 'Chamado', html: '<p>Olá</p>', text: null };
        await storage.transaction((tx) =>
          tx.settings.updateTemplate(
            1,
            {
              name: 'Messaging',
              subject: 'S',
              html: '<p>h</p>',
              text: null,
              active: true,
              locale: 'en-US',
              variants: [pt],
            },
            '2026-02-01T00:00:00.000Z',
          ),
        );
        assert.deepEqual((await storage.settings.findTemplate(1))?.variants, [pt]);
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
}
