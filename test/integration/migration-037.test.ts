/**
 * Migration 037 on a database holding mail still `received` from before it (a process stopped between storing and
 * processing under the previous version): that mail has no lease, so the first sweep after the upgrade takes it.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 037 on ${database.name}`, () => {
    it('leaves mail received before it without a lease: pending and begun at once', async () => {
      const { storage, drop } = await database.open();
      try {
        await migrateBefore(storage, '037');
        const at = '2026-01-01T00:00:00.000Z';
        const { id } = await storage.kyselyInstance
          .insertInto('inbound_mail')
          .values({
            received_at: at,
            updated_at: at,
            status: 'received',
            raw: Buffer.from('Subject: x\r\n\r\nx\r\n'),
            size: 17,
            sha256: 'f'.repeat(64),
            envelope_to: '[]',
            attempts: 1,
          })
          .returning('id')
          .executeTakeFirstOrThrow();
        assert.ok((await storage.migrate()).includes('037-inbound-lease'));
        assert.deepEqual(await storage.inbound.pendingInboundMail(at, 10), [id]);
        const begun = await storage.inbound.beginInboundAttempt(id, at, {
          token: 'after the upgrade',
          until: '2026-01-01T00:00:10.000Z',
        });
        assert.deepEqual([begun?.mail.attempts, begun?.raw?.byteLength], [2, 17]);
        assert.deepEqual(await storage.inbound.pendingInboundMail(at, 10), [], 'leased now');
      } finally {
        await storage.close();
        await drop();
      }
    });
  });
}
