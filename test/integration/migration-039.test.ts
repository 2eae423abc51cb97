/**
 * Migration 039 on a database holding mail keyed the earlier way (before duplicate keys named the sender): that such
 * mail exists is kept, and a mail arriving after the upgrade is still found a copy of one of those, or of one the
 * previous version keys after it; on a database without keyed mail the earlier keys are never looked up. SQLite and
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { insertReceivedMail, migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 039 on ${database.name}`, () => {
    it('bounds the mail keyed the earlier way, and finds it after the upgrade; none on a new install', async () => {
      const { storage, drop } = await database.open();
      try {
        await migrateBefore(storage, '039');
        const db = storage.kyselyInstance;
        const at = '2026-01-01T00:00:00.000Z';
        const keyed = await insertReceivedMail(db, 1, at);
        await sql`update inbound_mail set dedupe_key = ${'mid:<a@mail.example.org>'}, from_address = ${'a@example.test'}
          where id = ${keyed}`.execute(db);
        const unkeyed = await insertReceivedMail(db, 2, at);
        assert.ok((await storage.migrate()).includes('039-inbound-legacy-keys'));
        const bound = await db.selectFrom('inbound_legacy_keys').select('until_id').execute();
        assert.deepEqual(bound, [{ until_id: keyed }], `not ${unkeyed}, which holds no key`);
        const found = await storage.inbound.findEarlierKeyHolder(['mid:<a@mail.example.org>']);
        assert.deepEqual(found, { id: keyed, fromAddress: 'a@example.test', erased: false });
        // One the previous version stores after the migration (a rolling upgrade: it still runs) is found too.
        const later = await insertReceivedMail(db, 3, at);
        await sql`update inbound_mail set dedupe_key = ${'mid:<b@mail.example.org>'} where id = ${later}`.execute(db);
        assert.equal((await storage.inbound.findEarlierKeyHolder(['mid:<b@mail.example.org>']))?.id, later);
      } finally {
        await storage.close();
        await drop();
      }
    });

    it('looks nothing up on an install that had no keyed mail', async () => {
      const { storage, drop } = await database.open();
      try {
        await storage.migrate();
        const db = storage.kyselyInstance;
        assert.deepEqual(await db.selectFrom('inbound_legacy_keys').select('until_id').execute(), [{ until_id: 0 }]);
        const id = await insertReceivedMail(db, 1, '2026-01-01T00:00:00.000Z');
        await sql`update inbound_mail set dedupe_key = ${'mid:<c@mail.example.org>'} where id = ${id}`.execute(db);
        assert.equal(await storage.inbound.findEarlierKeyHolder(['mid:<c@mail.example.org>']), undefined);
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
}
