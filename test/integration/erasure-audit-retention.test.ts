/**
 * The audit log's retention (parameter 9017) and erasure, on SQLite and PostgreSQL: the pruner keeps the address and
 * name changes of a user not erased, however short the retention, so that an erasure still finds what they left
 * under an earlier address; and it keeps the record of each erasure. What else is older goes as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { pruneAuditLog } from '../../src/domain/audit/prune-audit.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { createGroup } from '../../src/domain/users/create-group.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { rawMail, storeMail } from '../support/stored-mail.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

const DAY = 86_400_000;
const OLD = 'teodora.quaresma@example.org';
const NEW = 't.q@example.net';
const NAME = 'Teodora Quaresma';

for (const database of [sqliteMemory, postgres]) {
  describe(`the audit log's retention and erasure, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let clock: TestClock;
    let deps: Deps;
    let w: World;
    let app: FastifyInstance;
    let admin: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      deps = testDeps(storage, clock);
      w = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, w.admin.email);
    });

    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    /** The log's entries, oldest first, as `action target_type target_id`. */
    const entries = async () =>
      (await storage.audit.listAudit({}, { limit: 500 })).items.reverse().map((e) => ({
        what: `${e.action} ${e.targetType} ${e.targetId}`,
        changes: e.changes,
      }));

    // threat: A short audit retention, or its pruning, hides from an erasure what a requester left
    it('an erasure after a day-long retention still finds their earlier address; its own record is kept', async () => {
      const id = (
        await createUser(deps, CLI_ORIGIN, { role: 'requester', email: OLD, name: NAME, password: TEST_PASSWORD })
      ).id;
      const person = await signIn(app, OLD);
      // A mail from the earlier address that proves nothing waits for review.
      const raw = rawMail([
        `From: "${NAME}" <${OLD}>`,
        'To: help@desk.example.test',
        'Subject: Locker',
        `Message-ID: <retention.${database.name}@mail.example.org>`,
        '',
        'Please open locker KEEP-40917.',
      ]);
      const mail = await storeMail(deps, raw, {
        from: OLD,
        to: ['help@desk.example.test'],
        remoteAddress: '192.0.2.10',
      });
      const processing = { ...deps, mailParser: new MailparserMailParser() };
      const policy = { perSenderPerMinute: 1000, maxAttempts: 5 };
      assert.equal((await processInboundMail({ ...processing, policy }, mail))?.status, 'held');
      // They change their address, an administrator their name; the log is then kept one day.
      const moved = await person.put('/api/v1/me/email', { currentPassword: TEST_PASSWORD, email: NEW });
      assert.equal(moved.statusCode, 200, moved.body);
      assert.equal((await admin.patch(`/api/v1/admin/users/${id}`, { name: 'Teodora Q.' })).statusCode, 200);
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.AUDIT_RETENTION_DAYS, 1);

      clock.advance(2 * DAY);
      await createGroup(deps, CLI_ORIGIN, { name: 'Recent' });
      assert.ok((await pruneAuditLog(deps)) > 0);
      // What is kept: the changes of the address and name of a user not erased, and what is recent; the rest went
      // (the creations too: a change records the address and name it replaced).
      const kept = await entries();
      assert.ok(kept.some((e) => e.what === `user.edit user ${id}` && e.changes.some((c) => c.field === 'email')));
      assert.ok(kept.some((e) => e.what === `user.edit user ${id}` && e.changes.some((c) => c.field === 'name')));
      assert.deepEqual(
        kept.map((e) => e.what.split(' ')[0]),
        ['user.edit', 'user.edit', 'group.create'],
      );

      const erased = await admin.post(`/api/v1/admin/users/${id}/erase`, { confirmEmail: NEW });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(erased.json().inboundMails, 1, 'the mail from the earlier address');
      assert.deepEqual(await tracesIn(storage, [OLD, NEW, NAME, 'Teodora', 'Quaresma', 'KEEP-40917']), []);

      // Two days on, the erased person's entries go as any would; the record of the erasure stays, whatever the age.
      clock.advance(2 * DAY);
      await pruneAuditLog(deps);
      clock.advance(3650 * DAY);
      await pruneAuditLog(deps);
      const left = (await entries()).map((e) => e.what);
      assert.deepEqual(left, [`user.erase user ${id}`]);
    });
  });
}
