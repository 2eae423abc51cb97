/**
 * The API on PostgreSQL: inputs PostgreSQL is stricter about than SQLite (NUL, 32-bit ids), and races that only a
 * database with concurrent transactions can show (unique values, parameter 417 against template changes).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { messagingStatus } from '../../src/domain/parameters/messaging-status.ts';
import { postgres } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';

function assert4xx(r: LightMyRequestResponse, status?: number) {
  assert.ok(r.statusCode >= 400 && r.statusCode < 500, `${r.statusCode} ${r.body}`);
  if (status) assert.equal(r.statusCode, status, r.body);
  assert.equal(typeof r.json().code, 'string');
}

describe('the API on PostgreSQL', () => {
  let app: FastifyInstance;
  let world: World;
  let storage: SqlStorage;
  let drop: () => Promise<void>;
  let admin: Client;
  let tech: Client;

  before(async () => {
    const db = await postgres.open();
    storage = db.storage;
    drop = db.drop;
    world = await buildWorld(testDeps(storage));
    app = await testApp(testDeps(storage));
    admin = await signIn(app, world.admin.email);
    tech = await signIn(app, world.techA.email);
  });
  after(async () => {
    await app.close();
    await storage.close();
    await drop();
  });

  it('refuses NUL anywhere with a 400, never a 500', async () => {
    const url = `/api/v1/tickets/${world.ticketA.number}/messages`;
    assert4xx(await tech.post(url, { text: 'a\u0000b' }), 400);
    assert4xx(await tech.post('/api/v1/tickets', { title: 'T\u0000', description: 'd' }), 400);
    assert4xx(await tech.post('/api/v1/tickets', { title: 'T', description: 'd', contactName: 'x\u0000' }), 400);
    assert4xx(await admin.post('/api/v1/admin/groups', { name: 'G\u0000' }), 400);
    assert4xx(await admin.post('/api/v1/admin/email-templates', { name: 'n', subject: 's\u0000', html: 'h' }), 400);
    assert4xx(
      await anonymous(app).post('/api/v1/auth/login', { email: 'a\u0000@example.test', password: 'whatever it is' }),
      400,
    );
    assert4xx(await tech.get('/api/v1/tickets?cursor=%00'), 400);
  });

  it('refuses ids beyond 32 bits with a 400, and ignores such a cursor', async () => {
    assert4xx(await tech.get('/api/v1/tickets?groupId=99999999999'), 400);
    assert4xx(await admin.post('/api/v1/admin/groups', { name: 'Big', memberIds: [99999999999] }), 400);
    assert4xx(await admin.put('/api/v1/admin/parameters/417', { value: 99999999999 }), 422);
    const cursor = Buffer.from('99999999999').toString('base64url');
    assert.equal((await tech.get(`/api/v1/tickets?cursor=${cursor}`)).statusCode, 200);
  });

  it('two requests creating the same user or group at once: one 201, the others 409', async () => {
    const users = await Promise.all(
      [1, 2, 3, 4].map(() =>
        admin.post('/api/v1/admin/users', { role: 'requester', email: 'race@example.test', name: 'Race' }),
      ),
    );
    assert.deepEqual(users.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
    for (const r of users.filter((r) => r.statusCode === 409)) assert.equal(r.json().code, 'USER_EMAIL_TAKEN');
    const groups = await Promise.all(
      [1, 2, 3, 4].map(() => admin.post('/api/v1/admin/groups', { name: 'Race group' })),
    );
    assert.deepEqual(groups.map((r) => r.statusCode).sort(), [201, 409, 409, 409]);
  });

  it('parameter 417 never ends up naming a deleted or inactive template, however the requests interleave', async () => {
    for (let round = 0; round < 15; round++) {
      const created = await admin.post('/api/v1/admin/email-templates', {
        name: `Race ${round}`,
        subject: 'S',
        html: '<p>${COMMENTTEXT}</p>',
      });
      const id = created.json().id as number;
      const template = created.json();
      const change =
        round % 2 === 0
          ? admin.delete(`/api/v1/admin/email-templates/${id}`)
          : admin.put(`/api/v1/admin/email-templates/${id}`, {
              name: template.name,
              subject: template.subject,
              html: template.html,
              active: false,
            });
      const [set, changed] = await Promise.all([admin.put('/api/v1/admin/parameters/417', { value: id }), change]);
      const status = await messagingStatus(storage);
      assert.ok(
        status.available,
        `round ${round}: 417 ${set.statusCode}, change ${changed.statusCode}: ${JSON.stringify(status.reasons)}`,
      );
      assert.ok([200, 422].includes(set.statusCode) && [200, 204, 409].includes(changed.statusCode));
      assert.ok(set.statusCode === 422 || changed.statusCode === 409, 'exactly one side won');
      await admin.put('/api/v1/admin/parameters/417', { value: world.templateId });
    }
  });
});
