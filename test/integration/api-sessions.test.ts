/**
 * Sessions end and tokens are revoked: a password change (the user's own or an administrator's), a deactivation;
 * API tokens with a name, a scope, an expiry and a last-used time; the sign-in limiter across addresses; what a
 * requester's view of a ticket leaves out. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { LoginLimiter } from '../../src/delivery/http/auth/login-limiter.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { changePassword } from '../../src/domain/users/change-password.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, withToken, type Client } from '../support/http.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const NEW_PASSWORD = 'a brand new passphrase 42';

for (const database of [sqliteMemory, postgres]) {
  describe(`sessions and API tokens on ${database.name}`, () => {
    let app: FastifyInstance;
    let world: World;
    let storage: SqlStorage;
    let deps: Deps;
    let drop: () => Promise<void>;
    let limiterNow = Date.parse('2026-03-14T15:09:26.000Z');
    const clock = new TestClock();
    let serial = 0;

    /** A fresh user (with the test password) for each test, so password changes never leak into another test. */
    const person = async (role: 'requester' | 'technician' | 'admin' = 'technician') => {
      const email = `person${++serial}@example.test`;
      const user = await createUser(deps, CLI_ORIGIN, {
        role,
        email,
        name: `Person ${serial}`,
        password: TEST_PASSWORD,
        groupIds: role === 'technician' ? [world.groupA] : [],
      });
      return { ...user, email };
    };
    const works = async (client: Client) => (await client.get('/api/v1/me')).statusCode;

    before(async () => {
      const db = await database.open();
      storage = db.storage;
      drop = db.drop;
      deps = testDeps(storage, clock);
      world = await buildWorld(deps);
      app = await testApp(deps, new LoginLimiter(deps.storage, {}, () => limiterNow));
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
    it("changing one's own password keeps this session, ends the other sessions and revokes the tokens", async () => {
      const user = await person();
      const here = await signIn(app, user.email);
      const elsewhere = await signIn(app, user.email);
      const { token } = await createApiToken(deps, CLI_ORIGIN, user.email, 'script');
      assert.equal(await works(withToken(app, token)), 200);

      const r = await here.post('/api/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: NEW_PASSWORD });
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), { sessionsEnded: 1, tokensRevoked: 1 });
      assert.equal(await works(here), 200, 'the session that changed it stays signed in');
      assert.equal(await works(elsewhere), 401, 'the other session ended');
      assert.equal(await works(withToken(app, token)), 401, 'the token was revoked');
      await assert.rejects(signIn(app, user.email), /401/, 'the old password no longer signs in');
      assert.equal(await works(await signIn(app, user.email, NEW_PASSWORD)), 200);
    });

    // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
    it('keepTokens keeps the API tokens working; the other sessions still end', async () => {
      const user = await person();
      const here = await signIn(app, user.email);
      const elsewhere = await signIn(app, user.email);
      const { token } = await createApiToken(deps, CLI_ORIGIN, user.email, 'kept');
      const r = await here.post('/api/v1/me/password', {
        currentPassword: TEST_PASSWORD,
        newPassword: NEW_PASSWORD,
        keepTokens: true,
      });
      assert.deepEqual(r.json(), { sessionsEnded: 1, tokensRevoked: 0 });
      assert.equal(await works(withToken(app, token)), 200);
      assert.equal(await works(elsewhere), 401);
    });

    it('a wrong current password or a too-short new one changes nothing and says why', async () => {
      const user = await person();
      const here = await signIn(app, user.email);
      const elsewhere = await signIn(app, user.email);
      const wrong = await here.post('/api/v1/me/password', {
        currentPassword: 'not my password',
        newPassword: NEW_PASSWORD,
      });
      assert.equal(wrong.statusCode, 422);
      assert.deepEqual(wrong.json(), {
        code: 'PASSWORD_INCORRECT',
        message: 'The current password is not correct.',
        details: { field: 'currentPassword' },
      });
      const short = await here.post('/api/v1/me/password', { currentPassword: TEST_PASSWORD, newPassword: 'short' });
      assert.equal(short.statusCode, 422);
      assert.match(short.json().message, /10 to 200 characters/);
      const missing = await here.post('/api/v1/me/password', { newPassword: NEW_PASSWORD });
      assert.equal(missing.statusCode, 400);
      assert.equal(await works(elsewhere), 200, 'no session ended');
      assert.equal(await works(await signIn(app, user.email)), 200, 'the password is unchanged');
    });

    // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
    it("an administrator's reset ends every session of the user and revokes their tokens unless keepTokens", async () => {
      const admin = await signIn(app, world.admin.email);
      const user = await person();
      const session = await signIn(app, user.email);
      const { token: first } = await createApiToken(deps, CLI_ORIGIN, user.email, 'one');
      const kept = await admin.patch(`/api/v1/admin/users/${user.id}`, { password: NEW_PASSWORD, keepTokens: true });
      assert.equal(kept.statusCode, 200, kept.body);
      assert.equal(await works(session), 401);
      assert.equal(await works(withToken(app, first)), 200, 'kept on purpose');

      const again = await signIn(app, user.email, NEW_PASSWORD);
      const reset = await admin.patch(`/api/v1/admin/users/${user.id}`, { password: `${NEW_PASSWORD}!` });
      assert.equal(reset.statusCode, 200);
      assert.equal(await works(again), 401);
      assert.equal(await works(withToken(app, first)), 401);
      assert.equal(await works(admin), 200, "the administrator's own session is untouched");
    });

    // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
    it('the domain rule the CLI uses (changePassword) ends sessions and revokes tokens too', async () => {
      const user = await person();
      const session = await signIn(app, user.email);
      const { token } = await createApiToken(deps, CLI_ORIGIN, user.email, 'cli');
      assert.deepEqual(await changePassword(deps, CLI_ORIGIN, user.id, NEW_PASSWORD), {
        sessionsEnded: 1,
        tokensRevoked: 1,
      });
      assert.equal(await works(session), 401);
      assert.equal(await works(withToken(app, token)), 401);
    });

    // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
    it('deactivating then reactivating a user revives none of their sessions or tokens', async () => {
      const admin = await signIn(app, world.admin.email);
      const user = await person();
      const session = await signIn(app, user.email);
      const { token } = await createApiToken(deps, CLI_ORIGIN, user.email, 'before');
      assert.equal((await admin.patch(`/api/v1/admin/users/${user.id}`, { active: false })).statusCode, 200);
      assert.equal(await works(session), 401);
      assert.equal((await admin.patch(`/api/v1/admin/users/${user.id}`, { active: true })).statusCode, 200);
      assert.equal(await works(session), 401, 'the old session stays ended');
      assert.equal(await works(withToken(app, token)), 401, 'the old token stays revoked');
      assert.equal(await works(await signIn(app, user.email)), 200, 'signing in again works');
    });

    it('tokens: created with a name, shown once, listed without their value, revoked by their owner', async () => {
      const user = await person();
      const me = await signIn(app, user.email);
      const created = await me.post('/api/v1/me/tokens', { name: 'Nightly report', scope: 'read', expiresInDays: 30 });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json();
      assert.match(body.token, /^prl_[\w-]{40,}$/);
      assert.equal(body.name, 'Nightly report');
      assert.equal(body.scope, 'read');
      assert.equal(body.expiresAt, new Date(clock.now().getTime() + 30 * 86_400_000).toISOString());
      assert.equal(body.lastUsedAt, null);
      assert.equal(created.headers['cache-control'], 'no-store');

      const list = await me.get('/api/v1/me/tokens');
      assert.equal(list.statusCode, 200);
      assert.deepEqual(
        list.json().items.map((t: { name: string }) => t.name),
        ['Nightly report'],
      );
      assert.ok(
        !list.body.includes(body.token) && !('token' in list.json().items[0]),
        'the value is never shown again',
      );

      assert.equal(await works(withToken(app, body.token)), 200);
      assert.equal((await me.delete(`/api/v1/me/tokens/${body.id}`)).statusCode, 204);
      const revoked = await withToken(app, body.token).get('/api/v1/me');
      assert.equal(revoked.statusCode, 401);
      assert.match(revoked.json().message, /not valid/);
      const twice = await me.delete(`/api/v1/me/tokens/${body.id}`);
      assert.equal(twice.statusCode, 404);
      assert.equal(twice.json().code, 'TOKEN_NOT_FOUND');
    });

    it("nobody revokes or lists another person's token except an administrator", async () => {
      const owner = await person();
      const other = await signIn(app, (await person()).email);
      const { token, apiToken } = await createApiToken(deps, CLI_ORIGIN, owner.email, 'mine');
      assert.equal((await other.delete(`/api/v1/me/tokens/${apiToken.id}`)).statusCode, 404);
      assert.equal(await works(withToken(app, token)), 200);
      const admin = await signIn(app, world.admin.email);
      const listed = await admin.get(`/api/v1/admin/users/${owner.id}/tokens`);
      assert.deepEqual(
        listed.json().items.map((t: { id: number }) => t.id),
        [apiToken.id],
      );
      assert.equal(
        (await admin.delete(`/api/v1/admin/users/${owner.id + 1}/tokens/${apiToken.id}`)).statusCode,
        404,
        "the token must be that user's",
      );
      assert.equal((await admin.delete(`/api/v1/admin/users/${owner.id}/tokens/${apiToken.id}`)).statusCode, 204);
      assert.equal(await works(withToken(app, token)), 401);
      assert.equal((await admin.get('/api/v1/admin/users/999999/tokens')).statusCode, 404);
    });

    it('a read-only token reads but any write answers 403 with a sentence, and nothing is stored', async () => {
      const { token } = await createApiToken(deps, CLI_ORIGIN, world.techA.email, { name: 'reader', scope: 'read' });
      const reader = withToken(app, token);
      assert.equal((await reader.get(`/api/v1/tickets/${world.ticketA.number}/messages`)).statusCode, 200);
      assert.equal((await reader.request({ method: 'HEAD', url: '/api/v1/tickets' })).statusCode, 200);
      const before = (await storage.messages.listMessages(world.ticketA.id, true)).length;
      const write = await reader.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Should not be stored',
      });
      assert.equal(write.statusCode, 403);
      assert.equal(write.json().code, 'TOKEN_READ_ONLY');
      assert.match(write.json().message, /can only read/);
      assert.equal((await storage.messages.listMessages(world.ticketA.id, true)).length, before);
      assert.equal(
        (await reader.post('/api/v1/me/tokens', { name: 'escalate' })).statusCode,
        403,
        'nor can it mint a full token',
      );
      const { token: full } = await createApiToken(deps, CLI_ORIGIN, world.techA.email, {
        name: 'writer',
        scope: 'full',
      });
      assert.equal(
        (await withToken(app, full).post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Stored' }))
          .statusCode,
        201,
      );
    });

    it('a token stops working when it expires', async () => {
      const user = await person();
      const { token } = await createApiToken(deps, CLI_ORIGIN, user.email, { name: 'short-lived', expiresInDays: 1 });
      assert.equal(await works(withToken(app, token)), 200);
      clock.advance(86_400_000 - 1);
      assert.equal(await works(withToken(app, token)), 200);
      clock.advance(1);
      assert.equal(await works(withToken(app, token)), 401);
    });

    it('the last use is recorded, at most once a minute', async () => {
      const user = await person();
      const me = await signIn(app, user.email);
      const { token, apiToken } = await createApiToken(deps, CLI_ORIGIN, user.email, 'used');
      const lastUsed = async () =>
        (await me.get('/api/v1/me/tokens')).json().items.find((t: { id: number }) => t.id === apiToken.id).lastUsedAt;
      assert.equal(await lastUsed(), null);
      const first = clock.now().toISOString();
      await works(withToken(app, token));
      assert.equal(await lastUsed(), first);
      clock.advance(30_000);
      await works(withToken(app, token));
      assert.equal(await lastUsed(), first, 'not written again within the minute');
      clock.advance(31_000);
      await works(withToken(app, token));
      assert.equal(await lastUsed(), clock.now().toISOString());
    });

    it('bad token input answers 4xx with a sentence, and no token is made', async () => {
      const me = await signIn(app, (await person()).email);
      for (const [payload, status] of [
        [{ name: '' }, 422],
        [{ name: 'a\nb' }, 422],
        [{ name: 'x', scope: 'admin' }, 400],
        [{ name: 'x', expiresInDays: 0 }, 400],
        [{ name: 'x', expiresInDays: 1.5 }, 400],
        [{ name: 'x', expiresInDays: '7' }, 400],
        [{}, 400],
      ] as const) {
        const r = await me.post('/api/v1/me/tokens', payload);
        assert.equal(r.statusCode, status, `${JSON.stringify(payload)}: ${r.body}`);
        assert.equal(typeof r.json().message, 'string');
      }
      assert.deepEqual((await me.get('/api/v1/me/tokens')).json().items, []);
    });

    // threat: Slow clients (HTTP headers or body, SMTP DATA one byte at a time) are cut off; … five wrong passwords from elsewhere never lock a person out for long
    it('five wrong passwords from one address do not stop the right password from another; failures from one address grow the delay', async () => {
      const user = await person();
      const login = (password: string, remoteAddress: string) =>
        app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: user.email, password },
          remoteAddress,
        });
      for (let i = 0; i < 5; i++) assert.equal((await login(`guess ${i}`, '203.0.113.10')).statusCode, 401);
      const fromA = await login(TEST_PASSWORD, '203.0.113.10');
      assert.equal(fromA.statusCode, 429, 'the guessing address waits');
      assert.equal((await login(TEST_PASSWORD, '198.51.100.20')).statusCode, 200, 'the owner elsewhere signs in');

      const waits: number[] = [];
      for (let i = 0; i < 4; i++) {
        const blocked = await login(`guess again ${i}`, '203.0.113.10');
        assert.equal(blocked.statusCode, 429);
        assert.match(blocked.json().message, /Try again in \d+ (second|minute)/);
        const wait = Number(blocked.headers['retry-after']);
        limiterNow += wait * 1000;
        assert.equal(
          (await login(`guess again ${i}`, '203.0.113.10')).statusCode,
          401,
          'allowed once the wait is over',
        );
        waits.push(wait);
      }
      for (let i = 1; i < waits.length; i++)
        assert.ok(waits[i]! > waits[i - 1]!, `the delay grows: ${waits.join(', ')}`);
    });

    // threat: A requester never learns that an internal note was written (no activity time moved, no count changed) and never receives staff-only fields (`timeSpentMinutes`).
    it("a requester's view: the activity time of what they can see only, and no time spent", async () => {
      const requester = await signIn(app, world.requesterA.email);
      const tech = await signIn(app, world.techA.email);
      const number = world.ticketA.number;
      clock.advance(60_000);
      const publicAt = clock.now().toISOString();
      await postMessage(deps, world.techA, { ticketNumber: number, text: 'Public reply', source: 'desk' });
      clock.advance(60_000);
      const noteAt = clock.now().toISOString();
      await postMessage(deps, world.techA, {
        ticketNumber: number,
        text: 'Internal note',
        internal: true,
        timeSpentMinutes: 25,
        source: 'desk',
      });

      const detail = (await requester.get(`/api/v1/tickets/${number}`)).json();
      assert.equal(detail.lastActivityAt, publicAt);
      const listed = (await requester.get('/api/v1/tickets'))
        .json()
        .items.find((t: { number: number }) => t.number === number);
      assert.equal(listed.lastActivityAt, publicAt);
      assert.ok(!JSON.stringify(detail).includes(noteAt) && !JSON.stringify(listed).includes(noteAt));
      assert.equal((await tech.get(`/api/v1/tickets/${number}`)).json().lastActivityAt, noteAt, 'staff see all');

      const thread = await requester.get(`/api/v1/tickets/${number}/messages`);
      assert.ok(thread.json().items.length > 0);
      for (const m of thread.json().items)
        assert.ok(!('timeSpentMinutes' in m) && !('timeSpentDate' in m), JSON.stringify(m));
      const staffThread = (await tech.get(`/api/v1/tickets/${number}/messages`)).json().items;
      assert.equal(staffThread.find((m: { text: string }) => m.text === 'Internal note').timeSpentMinutes, 25);
      const posted = await requester.post(`/api/v1/tickets/${number}/messages`, { text: 'Thanks' });
      assert.equal(posted.statusCode, 201);
      assert.ok(!('timeSpentMinutes' in posted.json().message));
    });

    it('anonymous callers cannot reach the token and password routes', async () => {
      assert.equal((await anonymous(app).get('/api/v1/me/tokens')).statusCode, 401);
      assert.equal(
        (await anonymous(app).post('/api/v1/me/password', { currentPassword: 'x', newPassword: NEW_PASSWORD }))
          .statusCode,
        401,
      );
    });
  });
}
