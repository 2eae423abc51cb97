/**
 * The audit log through the HTTP API (inject()): every administrative change leaves an entry with who, when, from
 * where and what changed, written with the change; secrets are named, never shown; administrators only.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { AuditEntry } from '../../src/domain/audit/audit-entry.ts';
import { sqliteMemory } from '../support/databases.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';

const SMTP_PASSWORD = 'Smtp-Secret-4f9!q';
const IMAP_PASSWORD = 'Imap-Secret-7x2#w';
const USER_PASSWORD = 'User-Secret-9k3$z';
const SECRETS = [SMTP_PASSWORD, IMAP_PASSWORD, USER_PASSWORD];
const OWN_PASSWORD = 'Own-Secret-2m8%v lengthy';

describe('the audit log of administrative changes (HTTP)', () => {
  let storage: SqlStorage;
  let world: World;
  let app: FastifyInstance;
  let admin: Client;
  let clock: TestClock;
  const entries = async (query = '') => {
    const r = await admin.get(`/api/v1/admin/audit${query}`);
    assert.equal(r.statusCode, 200, r.body);
    return r.json() as { items: AuditEntry[]; nextCursor: string | null };
  };

  before(async () => {
    ({ storage } = await sqliteMemory.open());
    clock = new TestClock();
    const deps = testDeps(storage, clock);
    world = await buildWorld(deps);
    app = await testApp(deps);
    admin = await signIn(app, world.admin.email);
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it('records parameters, the SMTP account, templates, users, groups and tokens with who, when, from where and what changed; no secret reaches the table or the API', async () => {
    const adminName = (await storage.people.findUserById(world.admin.id))!.name;
    clock.advance(60_000); // apart from the world's making (from the command line, before)
    const since = clock.now().toISOString();
    const put = async (url: string, body: unknown) => {
      const r = await admin.put(url, body);
      assert.equal(r.statusCode, 200, r.body);
      return r.json();
    };
    await put('/api/v1/admin/parameters/9017', { value: 30 });
    await put('/api/v1/admin/parameters/9014', { value: IMAP_PASSWORD });
    await put('/api/v1/admin/smtp-account', {
      host: 'mail.audit.example.test',
      port: 2525,
      security: 'starttls',
      auth: true,
      user: 'desk',
      password: SMTP_PASSWORD,
      from: 'desk@example.test',
    });
    const template = (
      await admin.post('/api/v1/admin/email-templates', { name: 'Audit', subject: 'S', html: '<p>${COMMENTTEXT}</p>' })
    ).json();
    await put(`/api/v1/admin/email-templates/${template.id}`, {
      name: 'Audited',
      subject: 'S2',
      html: `<p>${'x'.repeat(600)}</p>`,
    });
    const edited = await admin.patch(`/api/v1/admin/users/${world.techA.id}`, {
      role: 'admin',
      password: USER_PASSWORD,
    });
    assert.equal(edited.statusCode, 200, edited.body);
    const group = (await admin.post('/api/v1/admin/groups', { name: 'Night shift' })).json();
    assert.equal(
      (await admin.patch(`/api/v1/admin/groups/${group.id}`, { memberIds: [world.techB.id] })).statusCode,
      200,
    );
    assert.equal((await admin.delete(`/api/v1/admin/groups/${group.id}`)).statusCode, 204);
    const token = (await admin.post('/api/v1/me/tokens', { name: 'Reports', scope: 'read' })).json();
    assert.equal((await admin.delete(`/api/v1/admin/users/${world.admin.id}/tokens/${token.id}`)).statusCode, 204);

    const listed = await entries('?limit=100');
    const mine = listed.items.filter((e) => e.at >= since).reverse();
    assert.deepEqual(
      mine.map((e) => e.action),
      [
        'parameter.set',
        'parameter.set',
        'smtp-account.save',
        'template.create',
        'template.update',
        'user.role',
        'group.create',
        'group.edit',
        'group.delete',
        'token.create',
        'token.revoke',
      ],
    );
    for (const e of mine) {
      assert.equal(e.actorId, world.admin.id);
      assert.equal(e.actorName, adminName);
      assert.equal(e.actorEmail, world.admin.email);
      assert.equal(e.address, '127.0.0.1');
      assert.equal(e.at, clock.now().toISOString());
    }
    const byAction = (action: string) => mine.filter((e) => e.action === action);
    assert.deepEqual(byAction('parameter.set')[0], {
      ...byAction('parameter.set')[0],
      targetType: 'parameter',
      targetId: '9017',
      changes: [{ field: 'value', before: 365, after: 30 }],
    });
    assert.deepEqual(byAction('parameter.set')[1]!.changes, [{ field: 'value', withheld: 'secret' }]);
    const smtp = byAction('smtp-account.save')[0]!;
    const host = smtp.changes.find((c) => c.field === 'host')!;
    assert.equal(host.after, 'mail.audit.example.test');
    assert.notEqual(host.before, 'mail.audit.example.test');
    assert.deepEqual(
      smtp.changes.find((c) => c.field === 'password'),
      { field: 'password', withheld: 'secret' },
    );
    const update = byAction('template.update')[0]!;
    assert.equal(update.targetLabel, 'Audited');
    assert.deepEqual(update.changes, [
      { field: 'name', before: 'Audit', after: 'Audited' },
      { field: 'subject', before: 'S', after: 'S2' },
      { field: 'html', withheld: 'long' },
    ]);
    assert.deepEqual(byAction('user.role')[0]!.changes, [
      { field: 'role', before: 'technician', after: 'admin' },
      { field: 'password', withheld: 'secret' },
      { field: 'tokensRevoked', after: 0 },
    ]);
    assert.deepEqual(byAction('group.edit')[0]!.changes, [{ field: 'memberIds', before: [], after: [world.techB.id] }]);
    assert.equal(byAction('token.revoke')[0]!.targetLabel, 'Reports');

    // The table (every column of every entry), the API's answer: no password, in clear or sealed as stored.
    const sealed = [...(await storage.settings.getParameters()).values()].filter((v) => v && v.length > 40);
    assert.ok(sealed.length >= 2, 'the two passwords are stored, sealed');
    const table = JSON.stringify((await storage.audit.listAudit({}, { limit: 100 })).items);
    const answer = (await admin.get('/api/v1/admin/audit?limit=100')).body;
    for (const text of [table, answer]) {
      for (const secret of [...SECRETS, ...sealed]) assert.equal(text.includes(secret), false, secret);
      assert.equal(text.includes(token.token), false, 'the token value');
    }
  });

  it('filters by action, target, actor and time, and pages with a cursor', async () => {
    assert.deepEqual(
      (await entries('?action=template.update')).items.map((e) => e.targetLabel),
      ['Audited'],
    );
    const users = (await entries(`?targetType=user&targetId=${world.techA.id}`)).items;
    assert.deepEqual(
      users.map((e) => e.action),
      ['user.role', 'user.create'],
    );
    assert.equal((await entries(`?actorId=${world.admin.id}&limit=100`)).items.length, 11);
    assert.equal(
      (await entries(`?actorEmail=${encodeURIComponent(world.admin.email.toUpperCase())}&limit=100`)).items.length,
      11,
    );
    assert.equal((await entries(`?actorId=${world.techB.id}`)).items.length, 0);
    const now = clock.now().toISOString();
    assert.equal((await entries(`?to=${now}&actorId=${world.admin.id}`)).items.length, 0);
    assert.equal((await entries(`?from=${now}&actorId=${world.admin.id}&limit=100`)).items.length, 11);
    assert.equal((await admin.get('/api/v1/admin/audit?from=yesterday')).statusCode, 400);

    const first = await entries(`?actorId=${world.admin.id}&limit=4`);
    const second = await entries(`?actorId=${world.admin.id}&limit=4&cursor=${first.nextCursor}`);
    assert.equal(first.items.length, 4);
    assert.equal(second.items.length, 4);
    assert.ok(first.items.at(-1)!.id > second.items[0]!.id);
  });

  it('a refused change leaves no entry: it is written in the transaction of the change', async () => {
    const before = (await entries('?limit=100')).items.length;
    const refused = await admin.put('/api/v1/admin/smtp-account', {
      host: 'other.example.test',
      port: 25,
      security: 'none',
      auth: true,
      user: null,
      password: SMTP_PASSWORD,
      from: 'desk@example.test',
    });
    assert.equal(refused.statusCode, 422, refused.body);
    assert.equal(refused.json().code, 'SMTP_ACCOUNT_INVALID');
    assert.equal((await entries('?limit=100')).items.length, before);
  });

  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it("one's own password change is recorded, with the tokens it revoked; the password in no form", async () => {
    const deps = testDeps(storage, clock);
    const email = 'own.password@example.test';
    const user = await createUser(deps, CLI_ORIGIN, {
      role: 'technician',
      email,
      name: 'Olga Own',
      password: TEST_PASSWORD,
      groupIds: [world.groupA],
    });
    const { token } = await createApiToken(deps, CLI_ORIGIN, email, 'nightly report');
    const self = await signIn(app, email);
    clock.advance(1_000);
    const changed = await self.post('/api/v1/me/password', {
      currentPassword: TEST_PASSWORD,
      newPassword: OWN_PASSWORD,
    });
    assert.equal(changed.statusCode, 200, changed.body);
    assert.deepEqual(changed.json(), { sessionsEnded: 0, tokensRevoked: 1 });
    const recorded = (await entries(`?action=user.password&targetType=user&targetId=${user.id}`)).items;
    assert.equal(recorded.length, 1, 'one entry');
    assert.deepEqual(
      { ...recorded[0]!, id: 0 },
      {
        id: 0,
        at: clock.now().toISOString(),
        actorId: user.id,
        actorName: 'Olga Own',
        actorEmail: email,
        address: '127.0.0.1',
        action: 'user.password',
        targetType: 'user',
        targetId: String(user.id),
        targetLabel: email,
        changes: [
          { field: 'password', withheld: 'secret' },
          { field: 'tokensRevoked', after: 1 },
        ],
      },
    );
    // A wrong current password changes nothing and records nothing.
    const wrong = await self.post('/api/v1/me/password', {
      currentPassword: 'not the password',
      newPassword: 'x'.repeat(12),
    });
    assert.equal(wrong.statusCode, 422);
    assert.equal((await entries(`?action=user.password&targetId=${user.id}`)).items.length, 1);
    // Neither password, in clear or in the encodings a request or a hash might carry, reaches the table or the API.
    const table = JSON.stringify((await storage.audit.listAudit({}, { limit: 200 })).items);
    const answer = (await admin.get('/api/v1/admin/audit?limit=100')).body;
    for (const password of [TEST_PASSWORD, OWN_PASSWORD]) {
      const forms = [
        password,
        Buffer.from(password).toString('base64'),
        Buffer.from(password).toString('base64url'),
        Buffer.from(password).toString('hex'),
        encodeURIComponent(password),
      ];
      for (const text of [table, answer]) for (const form of forms) assert.equal(text.includes(form), false, form);
    }
    assert.equal(table.includes(token), false, 'the token value');
  });

  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it("an administrator's password reset and deactivation are recorded with the tokens they revoked", async () => {
    const deps = testDeps(storage, clock);
    const person = async (email: string, tokens: number) => {
      const user = await createUser(deps, CLI_ORIGIN, {
        role: 'technician',
        email,
        name: `Tess ${email.split('.')[0]}`,
        password: TEST_PASSWORD,
        groupIds: [world.groupA],
      });
      for (let i = 1; i <= tokens; i++) await createApiToken(deps, CLI_ORIGIN, email, `script ${i}`);
      return user;
    };
    const reset = await person('reset.tokens@example.test', 1);
    const kept = await person('kept.tokens@example.test', 1);
    const gone = await person('gone.tokens@example.test', 2);
    const patch = async (id: number, body: object) => {
      const r = await admin.patch(`/api/v1/admin/users/${id}`, body);
      assert.equal(r.statusCode, 200, r.body);
    };
    await patch(reset.id, { password: USER_PASSWORD });
    await patch(kept.id, { password: USER_PASSWORD, keepTokens: true });
    await patch(gone.id, { active: false });
    const changesOf = async (id: number, action: string) =>
      (await entries(`?action=${action}&targetType=user&targetId=${id}`)).items.map((e) => e.changes);
    assert.deepEqual(await changesOf(reset.id, 'user.password'), [
      [
        { field: 'password', withheld: 'secret' },
        { field: 'tokensRevoked', after: 1 },
      ],
    ]);
    assert.deepEqual(await changesOf(kept.id, 'user.password'), [
      [
        { field: 'password', withheld: 'secret' },
        { field: 'tokensRevoked', after: 0 },
      ],
    ]);
    assert.deepEqual(await changesOf(gone.id, 'user.deactivate'), [
      [
        { field: 'active', before: true, after: false },
        { field: 'tokensRevoked', after: 2 },
      ],
    ]);
  });

  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it('answers 401 signed out and 403 to technicians and requesters', async () => {
    assert.equal((await anonymous(app).get('/api/v1/admin/audit')).statusCode, 401);
    for (const who of [world.techB, world.requesterA]) {
      const r = await (await signIn(app, who.email)).get('/api/v1/admin/audit');
      assert.equal(r.statusCode, 403, who.email);
    }
  });
});
