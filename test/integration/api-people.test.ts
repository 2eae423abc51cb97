/**
 * Teams, staff, one's own preferences, and the administrator's edits of users and groups (HTTP through inject()),
 * plus a template test mail sent to a real SMTP server.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps } from '../support/fixtures.ts';
import { anonymous, signIn, withToken } from '../support/http.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

async function scene() {
  const { storage } = await sqliteMemory.open();
  const deps = testDeps(storage);
  const world = await buildWorld(deps);
  const transports = new NodemailerMailTransports({
    maxConnections: 1,
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 4000,
  });
  const app = await buildApp(deps, { mail: { transports, catcher: null } });
  return {
    deps,
    storage,
    world,
    app,
    admin: await signIn(app, world.admin.email),
    tech: await signIn(app, world.techA.email),
    requester: await signIn(app, world.requesterA.email),
    async close() {
      transports.closeAll();
      await app.close();
      await storage.close();
    },
  };
}

describe('teams and staff', () => {
  it('every signed-in user lists the teams (names only); only staff list the staff; nobody signed out does', async () => {
    const s = await scene();
    try {
      const groups = await s.requester.get('/api/v1/groups');
      assert.equal(groups.statusCode, 200);
      assert.deepEqual(
        groups.json().items.map((g: { name: string }) => g.name),
        ['Group A', 'Group B'],
      );
      assert.deepEqual(Object.keys(groups.json().items[0]).sort(), ['id', 'name']);
      assert.equal((await anonymous(s.app).get('/api/v1/groups')).statusCode, 401);

      assert.equal((await s.requester.get('/api/v1/staff')).statusCode, 403);
      const staff = await s.tech.get('/api/v1/staff');
      assert.equal(staff.statusCode, 200);
      const names = staff.json().items.map((u: { name: string }) => u.name);
      assert.ok(
        names.includes(s.world.techA.name) && names.includes(s.world.techB.name) && names.includes(s.world.admin.name),
      );
      assert.ok(!names.includes(s.world.requesterA.name), 'requesters are nobody to assign to');
      assert.ok(!JSON.stringify(staff.json()).includes('@'), 'no addresses');

      // A requester's request goes to the team they chose, so it lands in that queue.
      const opened = await s.requester.post('/api/v1/tickets', {
        title: 'Monitor flickers',
        description: 'Since Monday.',
        groupId: s.world.groupB,
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const queue = await (await signIn(s.app, s.world.techB.email)).get('/api/v1/tickets');
      assert.ok(queue.json().items.some((t: { title: string }) => t.title === 'Monitor flickers'));
    } finally {
      await s.close();
    }
  });
});

describe('one’s own preferences', () => {
  it('PATCH /me sets language and time zone; bad values are 422; a cookie session needs its CSRF token', async () => {
    const s = await scene();
    try {
      const r = await s.requester.patch('/api/v1/me', { locale: 'es-ES', timeZone: 'Europe/Madrid' });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().locale, 'es-ES');
      assert.equal((await s.requester.get('/api/v1/me')).json().timeZone, 'Europe/Madrid');
      assert.equal((await s.requester.patch('/api/v1/me', { timeZone: 'Mars/Olympus' })).json().code, 'USER_INVALID');
      assert.equal((await s.requester.patch('/api/v1/me', { locale: 'fr-FR' })).statusCode, 400);
      const withoutCsrf = await s.requester.request({
        method: 'PATCH',
        url: '/api/v1/me',
        payload: { locale: 'pt-BR' },
        headers: { 'x-csrf-token': '' },
      });
      assert.equal(withoutCsrf.statusCode, 403);
      assert.equal(
        (await s.requester.patch('/api/v1/me', { role: 'admin' })).json().role,
        'requester',
        'no other field can be set this way',
      );
    } finally {
      await s.close();
    }
  });
});

describe('administrators edit users and groups', () => {
  it('edits a user; deactivation locks the user out at once; an admin cannot lock themselves out', async () => {
    const s = await scene();
    try {
      const { token } = await createApiToken(s.deps, CLI_ORIGIN, s.world.techB.email);
      assert.equal((await withToken(s.app, token).get('/api/v1/me')).statusCode, 200);
      const edited = await s.admin.patch(`/api/v1/admin/users/${s.world.techB.id}`, {
        name: 'Bruno T. Técnico',
        locale: 'pt-BR',
        groupIds: [s.world.groupA, s.world.groupB],
      });
      assert.equal(edited.statusCode, 200, edited.body);
      assert.equal(edited.json().name, 'Bruno T. Técnico');
      assert.deepEqual(
        edited.json().groupIds,
        [s.world.groupA, s.world.groupB].sort((a, b) => a - b),
      );

      assert.equal(
        (await s.admin.patch(`/api/v1/admin/users/${s.world.techB.id}`, { active: false })).json().active,
        false,
      );
      assert.equal(
        (await withToken(s.app, token).get('/api/v1/me')).statusCode,
        401,
        'the token stops working at once',
      );
      const login = await anonymous(s.app).post('/api/v1/auth/login', {
        email: s.world.techB.email,
        password: TEST_PASSWORD,
      });
      assert.equal(login.statusCode, 401);

      const newPassword = 'a-new-password-for-bruno';
      await s.admin.patch(`/api/v1/admin/users/${s.world.techB.id}`, { active: true, password: newPassword });
      assert.equal(
        (await anonymous(s.app).post('/api/v1/auth/login', { email: s.world.techB.email, password: newPassword }))
          .statusCode,
        200,
      );

      const self = await s.admin.patch(`/api/v1/admin/users/${s.world.admin.id}`, { active: false });
      assert.equal(self.statusCode, 409);
      assert.equal(self.json().code, 'USER_SELF_LOCKOUT');
      assert.equal(
        (await s.admin.patch(`/api/v1/admin/users/${s.world.admin.id}`, { role: 'technician' })).json().code,
        'USER_SELF_LOCKOUT',
      );
      assert.equal((await s.admin.patch('/api/v1/admin/users/999999', { name: 'x' })).statusCode, 404);
      assert.equal(
        (await s.admin.patch(`/api/v1/admin/users/${s.world.techB.id}`, { groupIds: [999999] })).json().code,
        'USER_INVALID',
      );
      assert.equal((await s.tech.patch(`/api/v1/admin/users/${s.world.techB.id}`, { name: 'x' })).statusCode, 403);
    } finally {
      await s.close();
    }
  });

  it('renames a group and sets its members; refuses a taken name; deletes only a group without tickets', async () => {
    const s = await scene();
    try {
      const created = await s.admin.post('/api/v1/admin/groups', { name: 'Field service' });
      const id = created.json().id as number;
      const renamed = await s.admin.patch(`/api/v1/admin/groups/${id}`, {
        name: 'Field service (north)',
        memberIds: [s.world.techA.id],
      });
      assert.equal(renamed.statusCode, 200, renamed.body);
      assert.deepEqual(renamed.json(), {
        id,
        name: 'Field service (north)',
        memberIds: [s.world.techA.id],
        signature: null,
        copiesMode: 'cc',
        mailboxId: null,
      });
      assert.equal((await s.admin.patch(`/api/v1/admin/groups/${id}`, { memberIds: [] })).json().memberIds.length, 0);
      assert.equal(
        (await s.admin.patch(`/api/v1/admin/groups/${id}`, { name: 'Group A' })).json().code,
        'GROUP_NAME_TAKEN',
      );

      await openTicket(s.deps, s.world.admin, {
        title: 'Pole down',
        description: 'Street 5.',
        requesterId: s.world.requesterA.id,
        groupId: id,
      });
      const inUse = await s.admin.delete(`/api/v1/admin/groups/${id}`);
      assert.equal(inUse.statusCode, 409);
      assert.equal(inUse.json().code, 'GROUP_IN_USE');

      const empty = (await s.admin.post('/api/v1/admin/groups', { name: 'Temporary' })).json().id as number;
      assert.equal((await s.admin.delete(`/api/v1/admin/groups/${empty}`)).statusCode, 204);
      assert.equal((await s.admin.delete(`/api/v1/admin/groups/${empty}`)).statusCode, 404);
    } finally {
      await s.close();
    }
  });
});

describe('a template test mail', () => {
  it('renders the template against a ticket and sends it through the SMTP account now', async () => {
    const s = await scene();
    const sink = await SmtpSink.start();
    try {
      const saved = await s.admin.put('/api/v1/admin/smtp-account', {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        from: 'desk@example.test',
      });
      assert.equal(saved.statusCode, 200, saved.body);
      const r = await s.admin.post(`/api/v1/admin/email-templates/${s.world.templateId}/test`, {
        to: 'someone@example.test',
        ticketNumber: s.world.ticketA.number,
        locale: 'pt-BR',
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().ok, true, r.body);
      assert.equal(sink.accepted.length, 1);
      const mail = await simpleParser(sink.accepted[0]!.raw);
      assert.match(mail.subject ?? '', new RegExp(`#${s.world.ticketA.number}`));
      assert.equal(sink.accepted[0]!.envelope.rcptTo[0], 'someone@example.test');
      assert.equal(
        (
          await s.admin.post(`/api/v1/admin/email-templates/${s.world.templateId}/test`, { to: 'not an address' })
        ).json().code,
        'VALIDATION_FAILED',
      );
      assert.equal(
        (await s.admin.post('/api/v1/admin/email-templates/999999/test', { to: 'someone@example.test' })).statusCode,
        404,
      );
      assert.equal(
        (await s.tech.post(`/api/v1/admin/email-templates/${s.world.templateId}/test`, { to: 'someone@example.test' }))
          .statusCode,
        403,
      );
    } finally {
      await sink.close();
      await s.close();
    }
  });
});
