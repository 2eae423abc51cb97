/**
 * Sessions, CSRF, API tokens, sign-in rate limiting, secrets never returned, and the operational endpoints.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { LoginLimiter } from '../../src/delivery/http/auth/login-limiter.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, withToken } from '../support/http.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

describe('authentication and secrets', () => {
  let app: FastifyInstance;
  let world: World;
  let storage: SqlStorage;
  let deps: Deps;
  const clock = new TestClock();

  before(async () => {
    const db = await sqliteMemory.open();
    storage = db.storage;
    deps = testDeps(storage, clock);
    world = await buildWorld(deps);
    app = await testApp(deps, new LoginLimiter(deps.storage, { perAccount: 5, perAddress: 50, maxKeys: 1000 }));
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  const login = (email: string, password: string, headers: Record<string, string> = {}) =>
    app.inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password }, headers });

  // threat: Login: passwords hashed with a memory-hard function; repeated failures are rate-limited; sessions are HttpOnly, SameSite cookies; state-changing requests are protected against cross-site requests.
  it('signs in with an HttpOnly, SameSite, Secure (https site) session cookie', async () => {
    const r = await login(world.requesterA.email.toUpperCase(), TEST_PASSWORD);
    assert.equal(r.statusCode, 200, r.body);
    const cookie = String(r.headers['set-cookie']);
    assert.match(cookie, /^parley_session=[\w-]{40,};/);
    assert.match(cookie, /HttpOnly/);
    assert.match(cookie, /SameSite=Lax/);
    assert.match(cookie, /Secure/);
    assert.match(cookie, /Path=\//);
    const body = r.json();
    assert.equal(body.role, 'requester');
    assert.equal(body.locale, 'pt-BR');
    assert.equal(typeof body.csrfToken, 'string');
    assert.ok(!('passwordHash' in body) && !r.body.includes('scrypt'));
  });

  // threat: Login: passwords hashed with a memory-hard function; repeated failures are rate-limited; sessions are HttpOnly, SameSite cookies; state-changing requests are protected against cross-site requests.
  it('stores only a memory-hard hash of the password', async () => {
    const row = await storage.people.findUserByEmail(world.requesterA.email);
    assert.match(row!.passwordHash!, /^scrypt\$\d+\$8\$1\$/);
    assert.ok(!row!.passwordHash!.includes(TEST_PASSWORD));
  });

  it('answers a wrong password and an unknown email identically', async () => {
    const wrong = await login(world.techB.email, 'not the password');
    const unknown = await login('nobody@example.test', 'not the password');
    assert.equal(wrong.statusCode, 401);
    assert.deepEqual(wrong.json(), unknown.json());
    assert.equal(wrong.json().code, 'AUTH_INVALID_CREDENTIALS');
  });

  // threat: Login: passwords hashed with a memory-hard function; repeated failures are rate-limited; sessions are HttpOnly, SameSite cookies; state-changing requests are protected against cross-site requests.
  it('rate-limits repeated failures for an account, even when the right password comes next', async () => {
    const email = world.requesterB.email;
    for (let i = 0; i < 5; i++) assert.equal((await login(email, `guess ${i}`)).statusCode, 401);
    const blocked = await login(email, TEST_PASSWORD);
    assert.equal(blocked.statusCode, 429);
    assert.equal(blocked.json().code, 'AUTH_RATE_LIMITED');
    assert.ok(Number(blocked.headers['retry-after']) > 0);
    assert.equal((await login(world.techA.email, TEST_PASSWORD)).statusCode, 200, 'other accounts are not affected');
  });

  it('parallel guesses cannot slip past the limit', async () => {
    const email = 'parallel@example.test';
    await createUser(deps, CLI_ORIGIN, { role: 'requester', email, name: 'Parallel', password: TEST_PASSWORD });
    const results = await Promise.all(Array.from({ length: 30 }, (_, i) => login(email, `parallel guess ${i}`)));
    const codes = results.map((r) => r.statusCode);
    assert.equal(codes.filter((c) => c === 401).length, 5, codes.join(','));
    assert.equal(codes.filter((c) => c === 429).length, 25);
  });

  it('refuses a sign-in posted from another site', async () => {
    const r = await login(world.techA.email, TEST_PASSWORD, { 'sec-fetch-site': 'cross-site' });
    assert.equal(r.statusCode, 403);
    assert.equal(r.json().code, 'AUTH_CSRF_FAILED');
  });

  // threat: Login: passwords hashed with a memory-hard function; repeated failures are rate-limited; sessions are HttpOnly, SameSite cookies; state-changing requests are protected against cross-site requests.
  it('a cookie-authenticated write needs the CSRF token; reads do not', async () => {
    const r = await login(world.techA.email, TEST_PASSWORD);
    const cookie = String(r.headers['set-cookie']).split(';')[0]!;
    const url = `/api/v1/tickets/${world.ticketA.number}/messages`;
    const before = (await storage.messages.listMessages(world.ticketA.id, true)).length;
    const without = await app.inject({ method: 'POST', url, headers: { cookie }, payload: { text: 'forged' } });
    assert.equal(without.statusCode, 403);
    assert.equal(without.json().code, 'AUTH_CSRF_FAILED');
    const wrong = await app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'x-csrf-token': 'guess' },
      payload: { text: 'forged' },
    });
    assert.equal(wrong.statusCode, 403);
    assert.equal((await storage.messages.listMessages(world.ticketA.id, true)).length, before);
    const read = await app.inject({ method: 'GET', url, headers: { cookie } });
    assert.equal(read.statusCode, 200);
    const me = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie } });
    assert.equal(me.json().csrfToken, r.json().csrfToken, 'a reloaded page can ask for the token again');
    const ok = await app.inject({
      method: 'POST',
      url,
      headers: { cookie, 'x-csrf-token': me.json().csrfToken },
      payload: { text: 'real' },
    });
    assert.equal(ok.statusCode, 201);
  });

  it('logout ends the session', async () => {
    const client = await signIn(app, world.techA.email);
    assert.equal((await client.post('/api/v1/auth/logout')).statusCode, 204);
    assert.equal((await client.get('/api/v1/me')).statusCode, 401);
  });

  it('sessions expire', async () => {
    const client = await signIn(app, world.techB.email);
    assert.equal((await client.get('/api/v1/me')).statusCode, 200);
    clock.advance(15 * 86_400_000);
    assert.equal((await client.get('/api/v1/me')).statusCode, 401);
  });

  it('API tokens authenticate without cookies or CSRF; a bad token is 401', async () => {
    const { token } = await createApiToken(deps, CLI_ORIGIN, world.techA.email, 'integration');
    assert.match(token, /^prl_/);
    const client = withToken(app, token);
    const r = await client.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'from a script' });
    assert.equal(r.statusCode, 201, r.body);
    assert.equal(r.json().message.source, 'api');
    const bad = await withToken(app, 'prl_nope').get('/api/v1/me');
    assert.equal(bad.statusCode, 401);
    assert.equal(bad.json().code, 'AUTH_REQUIRED');
    const malformed = await app.inject({ method: 'GET', url: '/api/v1/me', headers: { authorization: 'Basic abc' } });
    assert.equal(malformed.statusCode, 401);
  });

  it('a user without a password cannot sign in', async () => {
    await createUser(deps, CLI_ORIGIN, { role: 'requester', email: 'nopass@example.test', name: 'No Pass' });
    assert.equal((await login('nopass@example.test', '')).statusCode, 400);
    assert.equal((await login('nopass@example.test', 'anything at all')).statusCode, 401);
  });

  // threat: The SMTP password is write-only, encrypted at rest with a key outside the database, and absent from every API response, log line, stored error and stack trace, even after a forced authentication failure.
  it('the SMTP password is write-only: never in an answer, sealed at rest', async () => {
    const admin = await signIn(app, world.admin.email);
    const account = await admin.get('/api/v1/admin/smtp-account');
    assert.equal(account.json().passwordSet, true);
    assert.ok(!('password' in account.json()));
    for (const url of [
      '/api/v1/admin/smtp-account',
      '/api/v1/admin/parameters',
      '/api/v1/admin/parameters/13',
      '/api/v1/admin/outbox',
    ]) {
      const r = await admin.get(url);
      assert.ok(!r.body.includes('smtp-pass-Zx9!'), url);
    }
    const p13 = (await admin.get('/api/v1/admin/parameters/13')).json();
    assert.deepEqual({ value: p13.value, set: p13.set }, { value: null, set: true });
    const stored = (await storage.settings.getParameters()).get(13)!;
    assert.ok(!stored.includes('smtp-pass-Zx9!'));
    assert.match(JSON.parse(stored), /^v1\./);
    // Saving the account without a password keeps the stored one (while host, port and security stay); "" removes it.
    const keep = await admin.put('/api/v1/admin/smtp-account', {
      host: 'smtp.example.test',
      port: 587,
      security: 'starttls',
      auth: true,
      user: 'desk2',
      from: 'desk@example.test',
    });
    assert.equal(keep.statusCode, 200, keep.body);
    assert.equal(keep.json().passwordSet, true);
    assert.equal((await storage.settings.getParameters()).get(13), stored);
  });

  it('lists parameters with descriptions in the admin’s language', async () => {
    await createUser(deps, CLI_ORIGIN, {
      role: 'admin',
      email: 'admin.pt@example.test',
      name: 'Administradora',
      password: TEST_PASSWORD,
      locale: 'pt-BR',
    });
    const pt = await signIn(app, 'admin.pt@example.test');
    const items = (await pt.get('/api/v1/admin/parameters')).json().items as {
      id: number;
      description: string;
      type: string;
    }[];
    assert.deepEqual(
      items.map((p) => p.id),
      [
        10, 11, 12, 13, 14, 199, 269, 417, 9001, 9002, 9003, 9004, 9010, 9011, 9012, 9013, 9014, 9015, 9016, 9017, 9018,
        9020, 9021, 9022, 9023, 9024, 9025, 9035, 9036,
      ],
    );
    assert.equal(items.find((p) => p.id === 417)!.description, 'ID do modelo de e-mail usado pela mensageria');
    assert.equal(items.find((p) => p.id === 417)!.type, 'templateId');
    const keys = (await pt.get('/api/v1/admin/template-keys')).json().items;
    assert.equal(
      keys.find((k: { name: string }) => k.name === 'IDSERVICEREQUEST').description,
      'Número do ticket (chave pública)',
    );
    const es = (await pt.get('/api/v1/admin/template-keys?locale=es-ES')).json().items;
    assert.deepEqual(es.find((k: { name: string }) => k.name === 'IDSERVICEREQUEST').aliases, [
      'IDSOLICITACAOSERVICO',
      'IDSOLICITUDSERVICIO',
    ]);
  });
});

describe('templates through the API', () => {
  let app: FastifyInstance;
  let world: World;
  let storage: SqlStorage;
  before(async () => {
    const db = await sqliteMemory.open();
    storage = db.storage;
    world = await buildWorld(testDeps(storage));
    app = await testApp(testDeps(storage));
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  it('refuses an unknown key at save, naming the key and its position', async () => {
    const admin = await signIn(app, world.admin.email);
    const r = await admin.post('/api/v1/admin/email-templates', {
      name: 'Bad',
      subject: 'Hi',
      html: '<p>Hello</p>\n<p>${NOMECONTATO} ${SMTP_PASSWORD}</p>',
    });
    assert.equal(r.statusCode, 422);
    assert.equal(r.json().code, 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(r.json().message, 'Unknown key ${SMTP_PASSWORD} in the HTML body at line 2, column 19.');
    assert.equal(r.json().details.key, 'SMTP_PASSWORD');
    assert.equal(r.json().details.line, 2);
    assert.equal(r.json().details.column, 19);
    assert.equal(r.json().details.field, 'html');
    const inSubject = await admin.post('/api/v1/admin/email-templates', {
      name: 'Bad',
      subject: 'Ticket ${idservicerequest}',
      html: '<p>x</p>',
    });
    assert.equal(inSubject.json().details.field, 'subject');
    assert.match(inSubject.json().message, /upper case: \$\{IDSERVICEREQUEST\}/);
    const update = await admin.put(`/api/v1/admin/email-templates/${world.templateId}`, {
      name: 'x',
      subject: 'x',
      html: 'x',
      text: '${NOPE}',
    });
    assert.equal(update.json().code, 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(update.json().details.field, 'text');
    assert.equal((await storage.settings.listTemplates()).length, 1, 'nothing was stored');
  });

  it('previews a stored template and a draft against a real ticket', async () => {
    const admin = await signIn(app, world.admin.email);
    const tech = await signIn(app, world.techA.email);
    await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Toner <replaced>' });
    const r = await admin.post(`/api/v1/admin/email-templates/${world.templateId}/preview`, {
      ticketNumber: world.ticketA.number,
      recipientLocale: 'es-ES',
    });
    assert.equal(r.statusCode, 200, r.body);
    assert.equal(r.json().subject, `[#${world.ticketA.number}] New message: Printer jams`);
    assert.ok(r.json().html.includes('Toner &lt;replaced&gt;'));
    assert.ok(r.json().html.includes('Nuevo'), 'status in the preview locale');
    const draft = await admin.post('/api/v1/admin/email-templates/preview', {
      subject: '${TICKETTITLE}',
      html: '<b>${USERNAME}</b>',
      ticketNumber: world.ticketA.number,
    });
    assert.equal(draft.statusCode, 200, draft.body);
    assert.equal(draft.json().html, '<b>Tina Tech</b>');
    assert.equal(draft.json().text, 'Tina Tech');
    const badDraft = await admin.post('/api/v1/admin/email-templates/preview', { subject: 'x', html: '${WHAT}' });
    assert.equal(badDraft.json().code, 'TEMPLATE_UNKNOWN_KEY');
    const missing = await admin.post(`/api/v1/admin/email-templates/${world.templateId}/preview`, {
      ticketNumber: 424242,
    });
    assert.equal(missing.statusCode, 404);
    assert.equal((await admin.post('/api/v1/admin/email-templates/9999/preview', {})).statusCode, 404);
  });
});

describe('operations endpoints', () => {
  it('health, readiness, metrics and the OpenAPI document', async () => {
    const db = await sqliteMemory.open();
    const app = await testApp(testDeps(db.storage));
    const client = anonymous(app);
    assert.deepEqual((await client.get('/healthz')).json(), { status: 'ok' });
    assert.deepEqual((await client.get('/readyz')).json(), { status: 'ready' });
    const metrics = await client.get('/metrics');
    assert.equal(metrics.statusCode, 200);
    assert.match(metrics.body, /parley_http_requests_total\{method="GET",route="\/readyz",status="200"\} 1/);
    assert.match(metrics.body, /parley_outbox_entries\{status="queued"\} 0/);
    const spec = (await client.get('/api/openapi.json')).json();
    assert.equal(spec.openapi, '3.0.3');
    for (const path of [
      '/api/v1/auth/login',
      '/api/v1/me',
      '/api/v1/tickets',
      '/api/v1/tickets/{number}',
      '/api/v1/tickets/{number}/messages',
      '/api/v1/admin/parameters/{id}',
      '/api/v1/admin/email-templates/{id}/preview',
      '/api/v1/admin/smtp-account',
      '/api/v1/admin/outbox/{id}',
      '/api/v1/admin/users',
      '/api/v1/admin/groups',
    ]) {
      assert.ok(spec.paths[path], `OpenAPI documents ${path}`);
    }
    const docs = await client.get('/api/docs');
    assert.ok([200, 302].includes(docs.statusCode));
    await db.storage.close();
    const down = await client.get('/readyz');
    assert.equal(down.statusCode, 503);
    assert.equal(down.json().code, 'DATABASE_UNREACHABLE');
    await app.close();
  });

  it('/metrics with PARLEY_METRICS_TOKEN: 401 without the bearer token or with a wrong one, 200 with it; health stays open', async () => {
    const db = await sqliteMemory.open();
    const token = 'metrics-token-0123456789abcdef';
    const app = await buildApp(testDeps(db.storage), { metricsToken: token });
    try {
      const client = anonymous(app);
      const without = await client.get('/metrics');
      assert.equal(without.statusCode, 401);
      assert.equal(without.json().code, 'AUTH_REQUIRED');
      assert.match(without.json().message, /PARLEY_METRICS_TOKEN/);
      assert.ok(!without.body.includes('parley_http_requests_total'));
      for (const authorization of [`Bearer ${token}x`, `Bearer ${token.slice(0, -1)}`, token, 'Bearer ']) {
        assert.equal(
          (await client.request({ method: 'GET', url: '/metrics', headers: { authorization } })).statusCode,
          401,
          authorization,
        );
      }
      const ok = await client.request({
        method: 'GET',
        url: '/metrics',
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(ok.statusCode, 200);
      assert.match(ok.body, /parley_http_requests_total/);
      assert.equal((await client.get('/healthz')).statusCode, 200);
    } finally {
      await app.close();
      await db.storage.close();
    }
  });
});
