/**
 * Bad input gets a 4xx with {code, message} and loses nothing: empty, oversized, wrong type, broken JSON,
 * unknown fields (never mass-assigned). Never a 500, never a stack trace.
 */
import assert from 'node:assert/strict';
import { UPLOAD_BODY_LIMIT } from '../../src/delivery/http/attachments/uploads.ts';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance, LightMyRequestResponse } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

function assertClientError(r: LightMyRequestResponse, status: number, code?: string) {
  assert.equal(r.statusCode, status, r.body);
  const body = r.json();
  assert.equal(typeof body.code, 'string');
  assert.equal(typeof body.message, 'string');
  assert.ok(body.message.length > 10, 'a sentence, not a bare code');
  if (code) assert.equal(body.code, code);
  assert.ok(!/\bat .*\.(ts|js):\d+/.test(r.body), 'no stack trace');
  assert.ok(!('stack' in body));
}

describe('bad input', () => {
  let app: FastifyInstance;
  let world: World;
  let storage: SqlStorage;
  let admin: Client;
  let tech: Client;
  let requester: Client;
  let messagesUrl: string;

  before(async () => {
    const db = await sqliteMemory.open();
    storage = db.storage;
    world = await buildWorld(testDeps(storage));
    app = await testApp(testDeps(storage));
    admin = await signIn(app, world.admin.email);
    tech = await signIn(app, world.techA.email);
    requester = await signIn(app, world.requesterA.email);
    messagesUrl = `/api/v1/tickets/${world.ticketA.number}/messages`;
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  async function countMessages() {
    return (await storage.messages.listMessages(world.ticketA.id, true)).length;
  }

  const raw = (client: Client, payload: string, contentType = 'application/json') =>
    client.request({ method: 'POST', url: messagesUrl, payload, headers: { 'content-type': contentType } });

  it('broken JSON → 400 REQUEST_INVALID_JSON', async () => {
    assertClientError(await raw(requester, '{"text": "unterminated'), 400, 'REQUEST_INVALID_JSON');
    assertClientError(await raw(requester, '{"text": "a",}'), 400, 'REQUEST_INVALID_JSON');
  });

  it('an empty body → 400', async () => {
    assertClientError(await raw(requester, ''), 400, 'REQUEST_EMPTY_BODY');
    assertClientError(await requester.request({ method: 'POST', url: messagesUrl }), 400);
  });

  it('JSON that is not an object → 400 VALIDATION_FAILED', async () => {
    for (const body of ['[]', '"text"', '42', 'null']) assertClientError(await raw(requester, body), 400);
  });

  it('wrong types are refused, never coerced', async () => {
    for (const payload of [
      { text: 123 },
      { text: ['a'] },
      { text: null },
      { text: 'x', internal: 'yes' },
      { text: 'x', sendEmail: 1 },
    ]) {
      const r = await tech.post(messagesUrl, payload);
      assertClientError(r, 400, 'VALIDATION_FAILED');
    }
    const r = await requester.post(messagesUrl, { text: 5 });
    assert.equal(r.json().message, 'The field "text" must be a string.');
    assert.equal(r.json().details.field, 'text');
  });

  it('a missing or blank text is refused', async () => {
    const missing = await requester.post(messagesUrl, {});
    assertClientError(missing, 422, 'MESSAGE_INVALID');
    assert.equal(missing.json().message, 'A message needs its text (or, formatted, its HTML).');
    assert.equal(missing.json().details.field, 'text');
    assertClientError(await requester.post(messagesUrl, { text: '   \n\t ' }), 422, 'MESSAGE_INVALID');
  });

  it('oversized input: a too-long message → 400; a body over the limit → 413 (1 MB, or the upload limit where files go)', async () => {
    assertClientError(await requester.post(messagesUrl, { text: 'x'.repeat(20_001) }), 400, 'VALIDATION_FAILED');
    assertClientError(
      await raw(requester, JSON.stringify({ text: 'x'.repeat(UPLOAD_BODY_LIMIT) })),
      413,
      'PAYLOAD_TOO_LARGE',
    );
    const me = await requester.request({
      method: 'PATCH',
      url: '/api/v1/me',
      payload: JSON.stringify({ timeZone: 'x'.repeat(2 * 1024 * 1024) }),
      headers: { 'content-type': 'application/json' },
    });
    assertClientError(me, 413, 'PAYLOAD_TOO_LARGE');
  });

  it('a body that is not JSON → 415', async () => {
    assertClientError(
      await raw(requester, 'text=hello', 'application/x-www-form-urlencoded'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    assertClientError(await raw(requester, 'hello', 'text/plain'), 415, 'UNSUPPORTED_MEDIA_TYPE');
  });

  it('bad path and query values → 400', async () => {
    assertClientError(await requester.get('/api/v1/tickets/abc'), 400, 'VALIDATION_FAILED');
    assertClientError(await requester.get('/api/v1/tickets/0'), 400, 'VALIDATION_FAILED');
    assertClientError(await requester.get('/api/v1/tickets/99999999999999999999'), 400, 'VALIDATION_FAILED');
    assertClientError(await requester.get('/api/v1/tickets?status=lost'), 400, 'VALIDATION_FAILED');
    assertClientError(await requester.get('/api/v1/tickets?limit=1000'), 400, 'VALIDATION_FAILED');
    const garbage = await requester.get('/api/v1/tickets?cursor=%%%%');
    assert.equal(garbage.statusCode, 200, 'an unreadable cursor starts from the beginning');
    assertClientError(await requester.get('/api/v1/nothing-here'), 404, 'ROUTE_NOT_FOUND');
  });

  it('bad time-spent values → 4xx', async () => {
    assertClientError(await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: -5 }), 400);
    assertClientError(await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: 1.5 }), 400);
    assertClientError(
      await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: 10, timeSpentDate: '2026-02-30' }),
      422,
      'MESSAGE_INVALID',
    );
    assertClientError(
      await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: 10, timeSpentDate: '14/03/2026' }),
      422,
      'MESSAGE_INVALID',
    );
    assertClientError(
      await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: 10, timeSpentDate: '2024-13-01' }),
      422,
      'MESSAGE_INVALID',
    );
    assertClientError(
      await tech.post(messagesUrl, { text: 'x', timeSpentMinutes: 10, timeSpentDate: '2024-00-10' }),
      422,
      'MESSAGE_INVALID',
    );
    assertClientError(await tech.post(messagesUrl, { text: 'a\u0000b' }), 400, 'VALIDATION_FAILED');
    assertClientError(
      await tech.post('/api/v1/tickets', { title: 'Bell\u0007', description: 'd' }),
      422,
      'TICKET_INVALID',
    );
  });

  it('none of the refused requests stored anything', async () => {
    assert.equal(await countMessages(), 0);
    assert.equal((await storage.outbox.listOutbox(undefined, { limit: 10 })).items.length, 0);
  });

  // threat: Requesters and technicians cannot change SMTP settings, templates, parameters or users (403), and extra fields in a request body are ignored, never mass-assigned.
  it('unknown fields are ignored, never mass-assigned', async () => {
    const r = await requester.post(messagesUrl, {
      text: 'hello',
      authorId: world.admin.id,
      internal: false,
      source: 'email',
      id: 999,
      createdAt: '2000-01-01T00:00:00Z',
    });
    assert.equal(r.statusCode, 201, r.body);
    const m = r.json().message;
    assert.equal(m.author.id, world.requesterA.id);
    assert.equal(m.source, 'portal');
    assert.notEqual(m.id, 999);
    assert.notEqual(m.createdAt, '2000-01-01T00:00:00Z');

    const ticket = await requester.post('/api/v1/tickets', {
      title: 'Mine',
      description: 'd',
      status: 'closed',
      responsibleId: world.techA.id,
      registeredById: world.admin.id,
    });
    assert.equal(ticket.statusCode, 201, ticket.body);
    assert.equal(ticket.json().status, 'new');
    assert.equal(ticket.json().responsible, null, 'a requester cannot pick the responsible technician');
    assert.equal(ticket.json().registeredBy.id, world.requesterA.id);

    const forOther = await requester.post('/api/v1/tickets', {
      title: 'For B',
      description: 'd',
      requesterId: world.requesterB.id,
    });
    assertClientError(forOther, 403, 'FORBIDDEN');

    const user = await admin.post('/api/v1/admin/users', {
      role: 'requester',
      email: 'new@example.test',
      name: 'New',
      active: false,
      passwordHash: 'scrypt$1$1$1$x$y',
      id: 1,
    });
    assert.equal(user.statusCode, 201, user.body);
    assert.equal(user.json().active, true);
    assert.notEqual(user.json().id, 1);
    assert.equal((await storage.people.findUserByEmail('new@example.test'))?.passwordHash, null);
  });

  it('invalid users, templates, parameters and SMTP settings are refused with the reason', async () => {
    assertClientError(
      await admin.post('/api/v1/admin/users', { role: 'root', email: 'x@example.test', name: 'X' }),
      400,
      'VALIDATION_FAILED',
    );
    assertClientError(
      await admin.post('/api/v1/admin/users', { role: 'requester', email: 'not-an-email', name: 'X' }),
      422,
      'USER_INVALID',
    );
    assertClientError(
      await admin.post('/api/v1/admin/users', {
        role: 'requester',
        email: 'tz@example.test',
        name: 'X',
        timeZone: 'Mars/Olympus',
      }),
      422,
      'USER_INVALID',
    );
    assertClientError(
      await admin.post('/api/v1/admin/users', {
        role: 'requester',
        email: 'pw@example.test',
        name: 'X',
        password: 'short',
      }),
      422,
      'USER_INVALID',
    );
    assertClientError(
      await admin.post('/api/v1/admin/users', {
        role: 'requester',
        email: world.requesterA.email.toUpperCase(),
        name: 'Dup',
      }),
      409,
      'USER_EMAIL_TAKEN',
    );
    assertClientError(await admin.put('/api/v1/admin/parameters/269', { value: 70000 }), 422, 'PARAMETER_INVALID');
    assertClientError(
      await admin.put('/api/v1/admin/parameters/12', { value: 'user\r\nX-Evil: 1' }),
      422,
      'PARAMETER_INVALID',
    );
    assertClientError(await admin.put('/api/v1/admin/parameters/5', { value: 'x' }), 404, 'PARAMETER_NOT_FOUND');
    assertClientError(
      await admin.put('/api/v1/admin/parameters/10', { value: { nested: true } }),
      400,
      'VALIDATION_FAILED',
    );
    const smtp = { port: 25, security: 'none', auth: false, from: 'desk@example.test' };
    assertClientError(
      await admin.put('/api/v1/admin/smtp-account', { ...smtp, host: '169.254.169.254' }),
      422,
      'PARAMETER_INVALID',
    );
    assertClientError(
      await admin.put('/api/v1/admin/smtp-account', { ...smtp, host: 'bad host' }),
      422,
      'PARAMETER_INVALID',
    );
    assertClientError(
      await admin.put('/api/v1/admin/smtp-account', {
        ...smtp,
        host: 'smtp.example.test',
        fromName: 'Desk\r\nBcc: x@example.test',
      }),
      422,
      'PARAMETER_INVALID',
    );
    assertClientError(
      await admin.put('/api/v1/admin/smtp-account', { ...smtp, host: 'smtp.example.test', security: 'ssl3' }),
      400,
      'VALIDATION_FAILED',
    );
    assert.equal(
      (await admin.get('/api/v1/admin/smtp-account')).json().host,
      'smtp.example.test',
      'the earlier valid account is untouched',
    );
  });
});
