/**
 * Migration 032 on a database with mail an erasure emptied before it: the entries it cancelled (their sentence) and
 * those it emptied after they were sent (no subject, no bodies) are marked erased; every other entry is not.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { DELIVERY_SENTENCES } from '../../src/domain/notifications/delivery-results.ts';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 032 on ${database.name}`, () => {
    it('marks the entries an earlier erasure emptied, and only those', async () => {
      const { storage, drop } = await database.open();
      try {
        await migrateBefore(storage, '032');
        const db = storage.kyselyInstance;
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
