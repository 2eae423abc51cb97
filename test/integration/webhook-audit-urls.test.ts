/**
 * The audit log never keeps the part of a webhook URL where chat and automation services put the endpoint's
 * credential (its path and query): entries written through the admin API keep the scheme, host and port and `/…`,
 * a change to the hidden part alone is named as changed, and migration 031 withholds it in entries written before.
 * SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postgres, sqliteFile } from '../support/databases.ts';
import { buildWorld, testDeps, TEST_PASSWORD } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

const TOKEN = 'T0AAA/B0BBB/zq8KSECRETxY';
const OTHER = 'T0AAA/B0BBB/newSECRETw2';

for (const [database, unmigrated] of [
  [sqliteFile, UNMIGRATED_DATABASES[0]],
  [postgres, UNMIGRATED_DATABASES[1]],
] as const) {
  describe(`webhook URLs in the audit log (${database.name})`, () => {
    // threat: An administrator registers a webhook whose URL carries its credential (a Slack-style token in the path) → the audit log shows its host only, on every change, and never the token.
    it('keeps the scheme and host of an endpoint, never its path, through create, edit, new secret and delete', async () => {
      const db = await database.open();
      const deps = testDeps(db.storage, systemClock);
      const world = await buildWorld(deps);
      const app = await testApp(deps);
      try {
        const admin = await signIn(app, world.admin.email, TEST_PASSWORD);
        const created = await admin.post('/api/v1/admin/webhooks', {
          url: `https://hooks.example.com/services/${TOKEN}`,
          description: 'Chat',
          events: ['message.created'],
          publicOnly: true,
          active: true,
          allowPrivate: false,
        });
        assert.equal(created.statusCode, 201, created.body);
        const id = created.json().endpoint.id as number;
        const moved = await admin.patch(`/api/v1/admin/webhooks/${id}`, {
          url: `https://hooks.example.com/services/${OTHER}`,
        });
        assert.equal(moved.statusCode, 200, moved.body);
        const elsewhere = await admin.patch(`/api/v1/admin/webhooks/${id}`, {
          url: `https://chat.example.org/hook?token=${TOKEN}`,
        });
        assert.equal(elsewhere.statusCode, 200, elsewhere.body);
        assert.equal((await admin.post(`/api/v1/admin/webhooks/${id}/secret`, {})).statusCode, 200);
        assert.equal((await admin.delete(`/api/v1/admin/webhooks/${id}`)).statusCode, 204);

        const audit = await admin.get('/api/v1/admin/audit?targetType=webhook-endpoint');
        assert.equal(audit.statusCode, 200, audit.body);
        assert.ok(!audit.body.includes('SECRET') && !audit.body.includes('services'), audit.body);
        const entries = (
          audit.json().items as {
            action: string;
            targetLabel: string;
            changes: { field: string; before?: string; after?: string; withheld?: string }[];
          }[]
        ).reverse();
        assert.deepEqual(
          entries.map((e) => [e.action, e.targetLabel]),
          [
            ['webhook.create', 'https://hooks.example.com/…'],
            ['webhook.update', 'https://hooks.example.com/…'],
            ['webhook.update', 'https://chat.example.org/…'],
            ['webhook.rotate-secret', 'https://chat.example.org/…'],
            ['webhook.delete', 'https://chat.example.org/…'],
          ],
        );
        assert.deepEqual(
          entries[0]!.changes.find((c) => c.field === 'url'),
          { field: 'url', after: 'https://hooks.example.com/…' },
        );
        assert.deepEqual(entries[1]!.changes, [{ field: 'url', withheld: 'secret' }], 'a new token: named only');
        assert.deepEqual(entries[2]!.changes, [
          { field: 'url', before: 'https://hooks.example.com/…', after: 'https://chat.example.org/…' },
        ]);
        // Stored so, not only shown so.
        const rows = await db.storage.kyselyInstance.selectFrom('audit_entry').selectAll().execute();
        assert.ok(!JSON.stringify(rows).includes('SECRET'));
      } finally {
        await app.close();
        await db.storage.close();
        await db.drop();
      }
    });

    it('migration 031 withholds the path of the URLs in entries written before it', async () => {
      const db = await unmigrated.open();
      try {
        const kysely = db.storage.kyselyInstance;
        await migrateBefore(db.storage, '031');
        const entry = (label: string | null, changes: unknown[], targetType = 'webhook-endpoint') => ({
          at: '2026-01-01T00:00:00.000Z',
          actor_id: null,
          actor_name: null,
          actor_email: null,
          address: 'cli',
          action: 'webhook.update',
          target_type: targetType,
          target_id: '1',
          target_label: label,
          changes: JSON.stringify(changes),
        });
        await kysely
          .insertInto('audit_entry')
          .values([
            entry(`https://hooks.example.com/services/${TOKEN}`, [
              { field: 'url', after: `https://hooks.example.com/services/${TOKEN}` },
              { field: 'description', before: 'a', after: 'b' },
            ]),
            entry(`https://hooks.example.com/services/${OTHER}`, [
              {
                field: 'url',
                before: `https://hooks.example.com/services/${TOKEN}`,
                after: `https://hooks.example.com/services/${OTHER}`,
              },
            ]),
            entry('https://hooks.example.com/services/kept', [{ field: 'url', after: 'x' }], 'user'),
            { ...entry(`https://hooks.example.com/services/${TOKEN}`, []), changes: 'not JSON' },
          ])
          .execute();
        assert.ok((await db.storage.migrate()).includes('031-webhook-urls-withheld'));
        const rows = await kysely.selectFrom('audit_entry').select(['target_label', 'changes']).orderBy('id').execute();
        assert.deepEqual(
          rows.slice(0, 3).map((r) => [r.target_label, JSON.parse(r.changes)]),
          [
            [
              'https://hooks.example.com/…',
              [
                { field: 'url', after: 'https://hooks.example.com/…' },
                { field: 'description', before: 'a', after: 'b' },
              ],
            ],
            ['https://hooks.example.com/…', [{ field: 'url', withheld: 'secret' }]],
            ['https://hooks.example.com/services/kept', [{ field: 'url', after: 'x' }]],
          ],
        );
        // Changes that are not JSON are left as they are; the label is withheld all the same.
        assert.deepEqual(rows[3], { target_label: 'https://hooks.example.com/…', changes: 'not JSON' });
      } finally {
        await db.storage.close();
        await db.drop();
      }
    });
  });
}
