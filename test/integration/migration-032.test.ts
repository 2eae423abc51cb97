/**
 * Migration 032 on a database with mail an erasure emptied before it: the entries it cancelled (their sentence) and
 * those it emptied after they were sent (no subject, no bodies) are marked erased; every other entry is not.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Migrator } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { DELIVERY_SENTENCES } from '../../src/domain/notifications/delivery-results.ts';
import { createPostgresDatabase } from '../support/databases.ts';

const databases = [
  { name: 'SQLite', open: async () => ({ storage: openSqliteStorage(':memory:'), drop: async () => {} }) },
  {
    name: 'PostgreSQL',
    open: async () => {
      const db = await createPostgresDatabase();
      return { storage: openPostgresStorage(db.url, { max: 2 }), drop: db.drop };
    },
  },
];

for (const database of databases) {
  describe(`migration 032 on ${database.name}`, () => {
    it('marks the entries an earlier erasure emptied, and only those', async () => {
      const { storage, drop } = await database.open();
      try {
        const db = storage.kyselyInstance;
        const earlier = Object.fromEntries(Object.entries(migrations).filter(([name]) => name < '032'));
        const migrator = new Migrator({
          db,
          provider: { getMigrations: async () => earlier },
          migrationTableName: 'parley_migration',
          migrationLockTableName: 'parley_migration_lock',
        });
        const { error } = await migrator.migrateToLatest();
        if (error) throw error;
        const at = '2026-01-01T00:00:00.000Z';
        const entry = (
          n: number,
          fields: { subject: string; text: string; html: string; status: string; last_reply: string | null },
        ) => ({
          ticket_id: null,
          message_id: null,
          recipient_id: null,
          to_address: `person${n}@example.test`,
          to_name: `Person ${n}`,
          message_id_header: `<m${n}@desk.example.test>`,
          thread_id: null,
          reply_to: null,
          next_attempt_at: null,
          attempts_since: at,
          created_at: at,
          updated_at: at,
          ...fields,
        });
        await db
          .insertInto('outbox_entry')
          .values([
            entry(1, { subject: '', text: '', html: '', status: 'failed', last_reply: DELIVERY_SENTENCES.ERASED }),
            entry(2, { subject: '', text: '', html: '', status: 'sent', last_reply: null }),
            entry(3, {
              subject: 'Ticket #1',
              text: 'Hello',
              html: '<p>Hello</p>',
              status: 'sent',
              last_reply: '250 ok',
            }),
            entry(4, { subject: 'Ticket #2', text: '', html: '<p>Hi</p>', status: 'failed', last_reply: '550 no' }),
          ])
          .execute();
        assert.ok((await storage.migrate()).includes('032-outbox-erased'));
        const rows = await db.selectFrom('outbox_entry').select(['to_address', 'erased_at']).orderBy('id').execute();
        assert.deepEqual(
          rows.map((r) => [r.to_address, r.erased_at === null ? null : new Date(r.erased_at).toISOString()]),
          [
            ['person1@example.test', at],
            ['person2@example.test', at],
            ['person3@example.test', null],
            ['person4@example.test', null],
          ],
        );
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
}
