/**
 * The access matrix: every route × (anonymous, requester, technician, admin).
 * What a caller may not see answers 404; admin routes answer 403 to others; signed-out callers get 401.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

type Who = 'anonymous' | 'requester' | 'technician' | 'admin';
interface Case {
  method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  url: (w: World) => string;
  body?: (w: World) => unknown;
  expect: Record<Who, number>;
}

let spareTemplateId = 0; // a template 417 does not name, so an admin may delete it
/** Attachments (as inbound mail leaves them): on ticket A's first message, on ticket B's, on an internal note of A. */
const ATTACHMENT_A = 'accessMatrixAttachmentA0';
const ATTACHMENT_B = 'accessMatrixAttachmentB0';
const ATTACHMENT_NOTE = 'accessMatrixAttachmentN0';
const own = (w: World) => w.ticketA.number; // requesterA's ticket in group A (techA's group)
const ADMIN_ONLY = { anonymous: 401, requester: 403, technician: 403, admin: 200 } as const;
const ADMIN_CREATES = { anonymous: 401, requester: 403, technician: 403, admin: 201 } as const;

const CASES: Case[] = [
  { method: 'GET', url: () => '/api/v1/me', expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 } },
  {
    method: 'GET',
    url: () => '/api/v1/tickets',
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'POST',
    url: () => '/api/v1/tickets',
    body: () => ({ title: 'New', description: 'Desc' }),
    expect: { anonymous: 401, requester: 201, technician: 201, admin: 201 },
  },
  {
    method: 'GET',
    url: (w) => `/api/v1/tickets/${own(w)}`,
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'PATCH',
    url: (w) => `/api/v1/tickets/${own(w)}`,
    body: () => ({ status: 'in_progress' }),
    expect: { anonymous: 401, requester: 403, technician: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: (w) => `/api/v1/tickets/${own(w)}/messages`,
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'POST',
    url: (w) => `/api/v1/tickets/${own(w)}/messages`,
    body: () => ({ text: 'Hello' }),
    expect: { anonymous: 401, requester: 201, technician: 201, admin: 201 },
  },
  {
    method: 'PUT',
    url: (w) => `/api/v1/tickets/${own(w)}/copies`,
    body: () => ({ copies: [] }),
    expect: { anonymous: 401, requester: 403, technician: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => `/api/v1/attachments/${ATTACHMENT_A}`,
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => '/api/v1/messaging/status',
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  { method: 'GET', url: () => '/api/v1/admin/parameters', expect: ADMIN_ONLY },
  { method: 'GET', url: () => '/api/v1/admin/parameters/417', expect: ADMIN_ONLY },
  { method: 'PUT', url: () => '/api/v1/admin/parameters/9001', body: () => ({ value: 'Desk' }), expect: ADMIN_ONLY },
  { method: 'GET', url: () => '/api/v1/admin/smtp-account', expect: ADMIN_ONLY },
  {
    method: 'PUT',
    url: () => '/api/v1/admin/smtp-account',
    body: () => ({
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      auth: false,
      from: 'desk@example.test',
    }),
    expect: ADMIN_ONLY,
  },
  { method: 'GET', url: () => '/api/v1/admin/template-keys', expect: ADMIN_ONLY },
  { method: 'GET', url: () => '/api/v1/admin/email-templates', expect: ADMIN_ONLY },
  {
    method: 'POST',
    url: () => '/api/v1/admin/email-templates',
    body: () => ({ name: 'N', subject: 'S ${IDSERVICEREQUEST}', html: '<p>${COMMENTTEXT}</p>' }),
    expect: ADMIN_CREATES,
  },
  { method: 'GET', url: (w) => `/api/v1/admin/email-templates/${w.templateId}`, expect: ADMIN_ONLY },
  {
    method: 'PUT',
    url: (w) => `/api/v1/admin/email-templates/${w.templateId}`,
    body: () => ({ name: 'N', subject: 'S', html: '<p>x</p>', active: true }),
    expect: ADMIN_ONLY,
  },
  {
    method: 'POST',
    url: (w) => `/api/v1/admin/email-templates/${w.templateId}/preview`,
    body: () => ({}),
    expect: ADMIN_ONLY,
  },
  {
    method: 'POST',
    url: () => '/api/v1/admin/email-templates/preview',
    body: () => ({ subject: 'S', html: '<p>${COMMENTTEXT}</p>' }),
    expect: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    url: () => `/api/v1/admin/email-templates/${spareTemplateId}`,
    expect: { anonymous: 401, requester: 403, technician: 403, admin: 204 },
  },
  { method: 'GET', url: () => '/api/v1/admin/outbox', expect: ADMIN_ONLY },
  { method: 'GET', url: () => '/api/v1/admin/outbox/1', expect: ADMIN_ONLY },
  { method: 'GET', url: () => '/api/v1/admin/users', expect: ADMIN_ONLY },
  {
    method: 'POST',
    url: () => `/api/v1/admin/users`,
    body: () => ({ role: 'requester', email: `u${Math.random().toString(36).slice(2)}@example.test`, name: 'U' }),
    expect: ADMIN_CREATES,
  },
  { method: 'GET', url: () => '/api/v1/admin/groups', expect: ADMIN_ONLY },
  {
    method: 'POST',
    url: () => '/api/v1/admin/groups',
    body: () => ({ name: `G ${Math.random().toString(36).slice(2)}` }),
    expect: ADMIN_CREATES,
  },
  {
    method: 'PATCH',
    url: (w) => `/api/v1/admin/users/${w.requesterB.id}`,
    body: () => ({ timeZone: 'UTC' }),
    expect: ADMIN_ONLY,
  },
  {
    method: 'PATCH',
    url: (w) => `/api/v1/admin/groups/${w.groupB}`,
    body: () => ({ name: 'Group B' }),
    expect: ADMIN_ONLY,
  },
  {
    method: 'DELETE',
    url: () => '/api/v1/admin/groups/999999',
    expect: { anonymous: 401, requester: 403, technician: 403, admin: 404 },
  },
  {
    method: 'POST',
    url: (w) => `/api/v1/admin/email-templates/${w.templateId}/test`,
    body: () => ({ to: 'not an address' }),
    expect: { anonymous: 401, requester: 403, technician: 403, admin: 400 },
  },
  {
    method: 'GET',
    url: () => '/api/v1/groups',
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => '/api/v1/staff',
    expect: { anonymous: 401, requester: 403, technician: 200, admin: 200 },
  },
  {
    method: 'PATCH',
    url: () => '/api/v1/me',
    body: () => ({ timeZone: 'UTC' }),
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'GET',
    url: () => '/api/v1/me/tokens',
    expect: { anonymous: 401, requester: 200, technician: 200, admin: 200 },
  },
  {
    method: 'POST',
    url: () => '/api/v1/me/tokens',
    body: () => ({ name: 'Matrix' }),
    expect: { anonymous: 401, requester: 201, technician: 201, admin: 201 },
  },
  {
    method: 'DELETE',
    url: () => '/api/v1/me/tokens/999999',
    expect: { anonymous: 401, requester: 404, technician: 404, admin: 404 },
  },
  {
    method: 'POST',
    url: () => '/api/v1/me/password',
    body: () => ({ currentPassword: 'not the password', newPassword: 'a new password 123' }),
    expect: { anonymous: 401, requester: 422, technician: 422, admin: 422 },
  },
  { method: 'GET', url: (w) => `/api/v1/admin/users/${w.requesterB.id}/tokens`, expect: ADMIN_ONLY },
  {
    method: 'DELETE',
    url: (w) => `/api/v1/admin/users/${w.requesterB.id}/tokens/999999`,
    expect: { anonymous: 401, requester: 403, technician: 403, admin: 404 },
  },
  {
    method: 'POST',
    url: () => '/api/v1/auth/logout',
    expect: { anonymous: 401, requester: 204, technician: 204, admin: 204 },
  },
];

describe('access matrix: three roles and anonymous × every route', () => {
  let app: FastifyInstance;
  let world: World;
  let drop: () => Promise<void>;
  let close: () => Promise<void>;
  const clients = {} as Record<Who, Client>;

  before(async () => {
    const db = await sqliteMemory.open();
    const deps = testDeps(db.storage);
    world = await buildWorld(deps);
    // The outbox needs an entry for GET /admin/outbox/1.
    const { postMessage } = await import('../../src/domain/messages/post-message.ts');
    const first = await postMessage(deps, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'first',
      source: 'desk',
    });
    const onB = await postMessage(deps, world.techB, {
      ticketNumber: world.ticketB.number,
      text: 'on B',
      source: 'desk',
    });
    const note = await postMessage(deps, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'note',
      internal: true,
      source: 'desk',
    });
    const file = (id: string, ticketId: number, messageId: number) => ({
      id,
      ticketId,
      messageId,
      inboundMailId: null,
      name: `${id}.pdf`,
      contentType: 'application/pdf',
      size: 3,
      sha256: '0'.repeat(64),
      inline: false,
      content: new Uint8Array([1, 2, 3]),
    });
    await db.storage.attachments.insertAttachments(
      [
        file(ATTACHMENT_A, world.ticketA.id, first.message.id),
        file(ATTACHMENT_B, world.ticketB.id, onB.message.id),
        file(ATTACHMENT_NOTE, world.ticketA.id, note.message.id),
      ],
      new Date().toISOString(),
    );
    const { createTemplate } = await import('../../src/domain/templates/create-template.ts');
    spareTemplateId = (
      await createTemplate(deps, CLI_ORIGIN, { name: 'Spare', subject: 'S', html: '<p>${COMMENTTEXT}</p>' })
    ).id;
    app = await testApp(deps);
    clients.anonymous = anonymous(app);
    drop = db.drop;
    close = () => db.storage.close();
  });
  after(async () => {
    await app.close();
    await close();
    await drop();
  });

  for (const c of CASES) {
    for (const who of ['anonymous', 'requester', 'technician', 'admin'] as const) {
      it(`${c.method} ${c.url({ ticketA: { number: 'N' }, templateId: 'T', requesterB: { id: 'U' }, groupB: 'G' } as never)} as ${who} → ${c.expect[who]}`, async () => {
        // A fresh session per case, so logging out never affects the next one.
        const client =
          who === 'anonymous'
            ? clients.anonymous
            : await signIn(
                app,
                { requester: world.requesterA, technician: world.techA, admin: world.admin }[who].email,
              );
        const response = await client.request({
          method: c.method,
          url: c.url(world),
          ...(c.body ? { payload: c.body(world) as object } : {}),
        });
        assert.equal(response.statusCode, c.expect[who], `${response.statusCode} ${response.body}`);
        if (response.statusCode >= 400) {
          const body = response.json();
          assert.equal(typeof body.code, 'string');
          assert.equal(typeof body.message, 'string');
        }
      });
    }
  }

  describe('tickets of others answer 404, as if they did not exist', () => {
    const foreign: { method: 'GET' | 'POST'; path: string; body?: object }[] = [
      { method: 'GET', path: '' },
      { method: 'GET', path: '/messages' },
      { method: 'POST', path: '/messages', body: { text: 'Sneaky' } },
    ];
    for (const f of foreign) {
      it(`requester A → requester B's ticket: ${f.method} ${f.path || '/'} → 404`, async () => {
        const client = await signIn(app, world.requesterA.email);
        const r = await client.request({
          method: f.method,
          url: `/api/v1/tickets/${world.ticketB.number}${f.path}`,
          ...(f.body ? { payload: f.body } : {}),
        });
        assert.equal(r.statusCode, 404, r.body);
        assert.equal(r.json().code, 'TICKET_NOT_FOUND');
        const missing = await client.request({
          method: f.method,
          url: `/api/v1/tickets/999999${f.path}`,
          ...(f.body ? { payload: f.body } : {}),
        });
        const body = r.json() as { code: string; message: string };
        assert.deepEqual(
          { ...body, message: body.message.replace(String(world.ticketB.number), '999999') },
          missing.json(),
        );
      });
      it(`technician of group A → group B's ticket: ${f.method} ${f.path || '/'} → 404`, async () => {
        const client = await signIn(app, world.techA.email);
        const r = await client.request({
          method: f.method,
          url: `/api/v1/tickets/${world.ticketB.number}${f.path}`,
          ...(f.body ? { payload: f.body } : {}),
        });
        assert.equal(r.statusCode, 404);
      });
    }

    // threat: Requester A asks for requester B's ticket, message or attachment
    it('attachments of tickets one may not see, and of internal notes for requesters, answer 404 as if they did not exist', async () => {
      const missing = async (client: Awaited<ReturnType<typeof signIn>>, id: string) => {
        const r = await client.get(`/api/v1/attachments/${id}`);
        assert.equal(r.statusCode, 404, `${id}: ${r.body}`);
        assert.equal(r.json().code, 'ATTACHMENT_NOT_FOUND');
      };
      const requesterA = await signIn(app, world.requesterA.email);
      const techA = await signIn(app, world.techA.email);
      await missing(requesterA, ATTACHMENT_B);
      await missing(requesterA, ATTACHMENT_NOTE);
      await missing(requesterA, 'doesNotExistAtAll000000');
      await missing(techA, ATTACHMENT_B);
      assert.equal((await techA.get(`/api/v1/attachments/${ATTACHMENT_NOTE}`)).statusCode, 200);
      assert.equal(
        (await (await signIn(app, world.techB.email)).get(`/api/v1/attachments/${ATTACHMENT_B}`)).statusCode,
        200,
      );
    });

    it("technician of group A cannot PATCH group B's ticket (404)", async () => {
      const client = await signIn(app, world.techA.email);
      assert.equal(
        (await client.patch(`/api/v1/tickets/${world.ticketB.number}`, { status: 'closed' })).statusCode,
        404,
      );
    });

    // threat: Requesters and technicians cannot change SMTP settings, templates, parameters or users (403), and extra fields in a request body are ignored, never mass-assigned.
    it('access is decided before the body is looked at: 401 and 403 even for invalid bodies', async () => {
      assert.equal((await anonymous(app).post('/api/v1/tickets', {})).statusCode, 401);
      const requester = await signIn(app, world.requesterA.email);
      assert.equal((await requester.put('/api/v1/admin/smtp-account', { host: 'evil' })).statusCode, 403);
      assert.equal((await requester.put('/api/v1/admin/parameters/13', {})).statusCode, 403);
      assert.equal((await requester.patch(`/api/v1/tickets/${world.ticketA.number}`, {})).statusCode, 403);
    });

    it('a technician sees the tickets they requested, even outside their groups', async () => {
      const techA = await signIn(app, world.techA.email);
      const own = await techA.post('/api/v1/tickets', {
        title: 'My monitor',
        description: 'flickers',
        groupId: world.groupB,
      });
      assert.equal(own.statusCode, 201);
      assert.equal((await techA.get(`/api/v1/tickets/${own.json().number}`)).statusCode, 200);
      const listed = (await techA.get('/api/v1/tickets')).json().items.map((t: { number: number }) => t.number);
      assert.ok(listed.includes(own.json().number));
    });

    it('lists show only what the caller may see', async () => {
      const numbers = async (email: string) =>
        (await (await signIn(app, email)).get('/api/v1/tickets')).json().items.map((t: { number: number }) => t.number);
      assert.ok(!(await numbers(world.requesterA.email)).includes(world.ticketB.number));
      assert.ok((await numbers(world.requesterA.email)).includes(world.ticketA.number));
      assert.ok(!(await numbers(world.techA.email)).includes(world.ticketB.number));
      assert.ok((await numbers(world.techB.email)).includes(world.ticketB.number));
      const adminSees = await numbers(world.admin.email);
      assert.ok(adminSees.includes(world.ticketA.number) && adminSees.includes(world.ticketB.number));
    });
  });
});
