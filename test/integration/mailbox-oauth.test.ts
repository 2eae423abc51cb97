/**
 * OAuth2 for mailboxes (issue 14, item 3; the connect flow and the tokens), on SQLite and PostgreSQL, against a real
 * authorization server on loopback (oauth2-mock-server: it issues, refreshes and, when the test says so, refuses
 * tokens): an administrator sets a mailbox's client (the secret write-only), connects it through the provider
 * (authorization code with PKCE S256 and `state`), and Parley keeps the grant sealed. A callback with a used or
 * unknown `state`, or whose PKCE verifier does not match, stores nothing. Two callers needing a refresh at once make
 * one refresh; a revoked grant marks the mailbox "reconnect needed" with the provider's reason, and connecting again
 * puts it right. A grant without the mail scope asked for is refused. No answer holds a token or the client secret.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { accessTokenFor } from '../../src/domain/mailboxes/oauth/access-token.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { startOAuthProvider } from '../support/oauth-provider.ts';

const CLIENT_SECRET = 'client-secret-never-shown';

for (const database of [sqliteMemory, postgres]) {
  describe(`mailbox OAuth2 on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let clock: TestClock;
    let w: World;
    let app: FastifyInstance;
    let admin: Client;
    let provider: Awaited<ReturnType<typeof startOAuthProvider>>;
    let issuer: string;
    const answers: string[] = [];

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      deps = testDeps(storage, clock);
      w = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, w.admin.email);
      provider = await startOAuthProvider();
      issuer = provider.issuer;
    });
    after(async () => {
      await provider.stop();
      await app.close();
      await storage.close();
      await drop();
    });

    const record = (body: string) => {
      answers.push(body);
      return body;
    };

    async function newMailbox(name: string) {
      const res = await admin.post('/api/v1/admin/mailboxes', {
        name,
        fromAddress: `${name.toLowerCase()}@example.test`,
        smtpHost: 'smtp.example.test',
        smtpPort: 587,
        smtpSecurity: 'starttls',
        smtpAuth: 'none',
      });
      assert.equal(res.statusCode, 201, res.body);
      const id = res.json().id as number;
      const set = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, {
        provider: 'custom',
        clientId: 'parley-test',
        clientSecret: CLIENT_SECRET,
        authorizeUrl: `${issuer}/authorize`,
        tokenUrl: `${issuer}/token`,
        scopes: 'mail.send offline_access',
        login: `${name.toLowerCase()}@example.test`,
      });
      assert.equal(set.statusCode, 200, record(set.body));
      assert.deepEqual([set.json().state, set.json().clientSecretSet], ['not_connected', true]);
      return id;
    }

    /** "Connect": Parley's start, the provider's authorization (it answers at once), and the callback's query. */
    async function authorize(id: number, tamper?: (url: URL) => void): Promise<string> {
      const start = await admin.post(`/api/v1/admin/mailboxes/${id}/oauth/start`);
      assert.equal(start.statusCode, 200, record(start.body));
      const url = new URL(start.json().authorizationUrl);
      assert.equal(url.origin + url.pathname, `${issuer}/authorize`);
      assert.equal(url.searchParams.get('code_challenge_method'), 'S256');
      assert.match(url.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
      assert.match(url.searchParams.get('state') ?? '', /^[A-Za-z0-9_-]{40,}$/);
      assert.equal(
        url.searchParams.get('redirect_uri'),
        'https://desk.example.test/api/v1/admin/mailboxes/oauth/callback',
      );
      tamper?.(url);
      const answer = await fetch(url, { redirect: 'manual' });
      assert.equal(answer.status, 302);
      const back = new URL(answer.headers.get('location')!);
      assert.equal(back.pathname, '/api/v1/admin/mailboxes/oauth/callback');
      return back.search;
    }

    const callback = async (query: string) => {
      const res = await admin.get(`/api/v1/admin/mailboxes/oauth/callback${query}`);
      assert.equal(res.statusCode, 302, res.body);
      return res.headers.location as string;
    };
    const grantOf = async (id: number) => {
      const res = await admin.get(`/api/v1/admin/mailboxes/${id}/oauth`);
      assert.equal(res.statusCode, 200);
      return record(res.body) && res.json();
    };

    /** A mailbox sending with OAuth2, connected: its id and the body that saves it as it is. */
    async function connectedOAuth2Mailbox(name: string) {
      const id = await newMailbox(name);
      const mailbox = {
        name,
        fromAddress: `${name.toLowerCase()}@example.test`,
        smtpHost: 'smtp.example.test',
        smtpPort: 587,
        smtpSecurity: 'starttls',
        smtpAuth: 'oauth2',
      };
      assert.equal((await admin.put(`/api/v1/admin/mailboxes/${id}`, mailbox)).statusCode, 200);
      assert.equal(await callback(await authorize(id)), `/admin/mailboxes?connected=${id}`);
      return { id, mailbox };
    }

    it('connects a mailbox through the provider and keeps the grant sealed; a used or unknown state stores nothing', async () => {
      const id = await newMailbox('Support');
      const query = await authorize(id);
      assert.equal(await callback(query), `/admin/mailboxes?connected=${id}`);
      const grant = await grantOf(id);
      assert.equal(grant.state, 'connected');
      assert.ok(grant.accessExpiresAt);
      const stored = (await storage.mailboxOAuth.findGrant(id))!;
      assert.ok(
        stored.refreshSealed && !provider.state.issued.includes(stored.refreshSealed),
        'the refresh token is stored sealed',
      );
      // The same callback again: refused, and the grant is untouched.
      assert.equal(await callback(query), '/admin/mailboxes?oauthError=MAILBOX_OAUTH_FAILED');
      assert.deepEqual(await storage.mailboxOAuth.findGrant(id), stored);
      // A state Parley never gave, on another mailbox: refused, nothing stored.
      const other = await newMailbox('Sales');
      const real = new URLSearchParams((await authorize(other)).slice(1));
      real.set('state', 'x'.repeat(43));
      assert.equal(await callback(`?${real}`), '/admin/mailboxes?oauthError=MAILBOX_OAUTH_FAILED');
      assert.equal((await grantOf(other)).state, 'not_connected');
      // The provider's error (the administrator said no): refused with its reason, nothing stored.
      const denied = new URLSearchParams((await authorize(other)).slice(1));
      const state = denied.get('state')!;
      // The state is this administrator's: the page is told which mailbox, and the provider's words.
      const back = new URL(
        await callback(
          `?error=access_denied&error_description=${encodeURIComponent('The user said no')}&state=${state}`,
        ),
        'https://desk.example.test',
      );
      assert.equal(back.pathname, '/admin/mailboxes');
      assert.equal(back.searchParams.get('oauthError'), 'MAILBOX_OAUTH_FAILED');
      assert.equal(back.searchParams.get('mailbox'), String(other));
      assert.equal(back.searchParams.get('problem'), 'refused');
      // The provider's words are kept on the grant for the page, never carried in the address (anyone can forge one).
      assert.deepEqual([...back.searchParams.keys()].sort(), ['mailbox', 'oauthError', 'problem']);
      assert.equal((await grantOf(other)).lastError, 'access_denied: The user said no');
      assert.equal((await grantOf(other)).state, 'not_connected');
      const audit = await admin.get('/api/v1/admin/audit?action=mailbox.oauth.connect');
      assert.equal(audit.statusCode, 200, audit.body);
      assert.equal(record(audit.body) && audit.json().items.length, 1);
    });

    it('refuses a code whose PKCE verifier does not match the challenge the provider saw', async () => {
      const id = await newMailbox('Billing');
      const query = await authorize(id, (url) => url.searchParams.set('code_challenge', 'A'.repeat(43)));
      const back = new URL(await callback(query), 'https://desk.example.test');
      assert.equal(back.searchParams.get('oauthError'), 'MAILBOX_OAUTH_FAILED');
      assert.equal(back.searchParams.get('mailbox'), String(id));
      assert.equal((await grantOf(id)).state, 'not_connected');
      assert.equal(await storage.mailboxOAuth.findGrant(id).then((g) => g?.refreshSealed ?? null), null);
    });

    it('refuses a grant without the mail scope it asked for (a permission unticked at consent), storing nothing', async () => {
      const id = await newMailbox('Scopes');
      provider.state.grantScope = 'openid offline_access';
      try {
        const back = new URL(await callback(await authorize(id)), 'https://desk.example.test');
        assert.equal(back.searchParams.get('oauthError'), 'MAILBOX_OAUTH_FAILED');
        assert.equal(back.searchParams.get('problem'), 'scopes');
        assert.equal((await grantOf(id)).lastError, 'mail.send', 'the scope left out, for the page');
      } finally {
        provider.state.grantScope = null;
      }
      assert.equal((await grantOf(id)).state, 'not_connected');
      // The scopes granted as asked (the capitalisation the provider's own): connected.
      provider.state.grantScope = 'MAIL.SEND offline_access';
      try {
        assert.equal(await callback(await authorize(id)), `/admin/mailboxes?connected=${id}`);
      } finally {
        provider.state.grantScope = null;
      }
    });

    it('refreshes once for two callers at once, and marks a revoked grant "reconnect needed" until connected again', async () => {
      provider.state.connectTtl = 60; // under the refresh margin: the first use refreshes
      const id = await newMailbox('Helpdesk');
      assert.equal(await callback(await authorize(id)), `/admin/mailboxes?connected=${id}`);
      provider.state.connectTtl = 3600;
      const before = provider.state.refreshRequests;
      const tokens = { ...deps, sleep: (ms: number) => new Promise<void>((r) => setTimeout(r, ms)) };
      const [a, b] = await Promise.all([accessTokenFor(tokens, id), accessTokenFor(tokens, id)]);
      assert.equal(provider.state.refreshRequests - before, 1, 'one refresh for both');
      assert.equal(a.accessToken, b.accessToken);
      assert.equal(a.user, 'helpdesk@example.test');
      assert.ok(provider.state.issued.includes(a.accessToken), 'a token the provider issued');
      // Live: no refresh.
      await accessTokenFor(tokens, id);
      assert.equal(provider.state.refreshRequests - before, 1);

      // An hour later the provider refuses: the grant was revoked.
      provider.state.revoked = true;
      clock.advance(3_600_000);
      await assert.rejects(
        accessTokenFor(tokens, id),
        (e: unknown) => e instanceof DomainError && e.code === 'MAILBOX_OAUTH_RECONNECT',
      );
      const grant = await grantOf(id);
      assert.equal(grant.state, 'reconnect_needed');
      assert.match(grant.lastError, /invalid_grant: AADSTS50173: the grant was revoked\./);
      await assert.rejects(accessTokenFor(tokens, id), /has to be connected again/);
      // Connected again: works.
      provider.state.revoked = false;
      assert.equal(await callback(await authorize(id)), `/admin/mailboxes?connected=${id}`);
      assert.equal((await grantOf(id)).state, 'connected');
      assert.ok(provider.state.issued.includes((await accessTokenFor(tokens, id)).accessToken));
    });

    it('removes the client and grant when the mailbox no longer signs in with OAuth2 (audited)', async () => {
      const id = await newMailbox('Leaving');
      const edited = await admin.put(`/api/v1/admin/mailboxes/${id}`, {
        name: 'Leaving',
        fromAddress: 'leaving@example.test',
        smtpHost: 'smtp.example.test',
        smtpPort: 587,
        smtpSecurity: 'starttls',
        smtpAuth: 'none',
      });
      assert.equal(edited.statusCode, 200, record(edited.body));
      assert.equal(edited.json().oauth, null);
      assert.equal(await storage.mailboxOAuth.findGrant(id), undefined, 'no sealed refresh token left');
      const audit = await admin.get(`/api/v1/admin/audit?action=mailbox.update&targetId=${id}`);
      assert.equal(audit.statusCode, 200, audit.body);
      assert.ok(
        audit.json().items.some((e: { changes: { field: string }[] }) => e.changes.some((c) => c.field === 'grant')),
        record(audit.body),
      );
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('keeps no refresh token, client secret or code a provider echoes in its refusal', async () => {
      const id = await newMailbox('Echo');
      assert.equal(await callback(await authorize(id)), `/admin/mailboxes?connected=${id}`);
      const refreshToken = deps.secrets.open((await storage.mailboxOAuth.findGrant(id))!.refreshSealed!);
      // The provider refuses the refresh, saying back what it was sent: decoded, and as the form carried it.
      const echo = (response: { body: Record<string, unknown>; statusCode: number }, req: unknown) => {
        const body = (req as { body: Record<string, string> }).body;
        if (body.grant_type !== 'refresh_token') return;
        response.statusCode = 400;
        response.body = {
          error: 'invalid_grant',
          error_description: `refresh_token ${body.refresh_token} (client_secret ${body.client_secret}) is revoked; you sent ${new URLSearchParams(body)}`,
        };
      };
      provider.server.service.on('beforeResponse', echo);
      try {
        clock.advance(3_600_000);
        await assert.rejects(accessTokenFor(deps, id), /has to be connected again/);
      } finally {
        provider.server.service.off('beforeResponse', echo);
      }
      const grant = await grantOf(id);
      assert.equal(grant.state, 'reconnect_needed');
      assert.match(
        grant.lastError,
        /^invalid_grant: refresh_token \[redacted\] \(client_secret \[redacted\]\) is revoked/,
      );
      const kept = JSON.stringify(await storage.mailboxOAuth.findGrant(id));
      for (const secret of [refreshToken, CLIENT_SECRET]) {
        assert.ok(!kept.includes(secret) && !kept.includes(encodeURIComponent(secret)), 'not stored in any form');
      }
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('sends the client secret only to the token endpoint it was entered for', async () => {
      const id = await newMailbox('Moving');
      const settings = {
        provider: 'custom',
        clientId: 'parley-test',
        authorizeUrl: `${issuer}/authorize`,
        tokenUrl: 'https://tokens.elsewhere.example/token',
        scopes: 'mail.send offline_access',
        login: 'moving@example.test',
      };
      // Another token endpoint, the secret not given again: refused, nothing changed.
      const moved = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, settings);
      assert.equal(moved.statusCode, 422, record(moved.body));
      assert.equal(moved.json().code, 'MAILBOX_INVALID');
      assert.deepEqual(moved.json().details, { field: 'clientSecret', reason: 'secret-required' });
      assert.equal((await grantOf(id)).tokenUrl, `${issuer}/token`);
      // A preset sets its own endpoint: the same refusal.
      const preset = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, { ...settings, provider: 'google' });
      assert.equal(preset.statusCode, 422, record(preset.body));
      // The same endpoint with other scopes keeps the secret; another endpoint with the secret given is taken.
      const scopes = { ...settings, tokenUrl: `${issuer}/token`, scopes: 'mail.send offline_access openid' };
      const same = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, scopes);
      assert.equal(same.statusCode, 200, record(same.body));
      assert.equal(same.json().clientSecretSet, true);
      const given = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, { ...settings, clientSecret: 'new-secret' });
      assert.equal(given.statusCode, 200, record(given.body));
      assert.equal(given.json().tokenUrl, settings.tokenUrl);
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('disconnects a mailbox whose SMTP or IMAP server moves: its access token goes to no other server', async () => {
      const { id, mailbox } = await connectedOAuth2Mailbox('Relay');
      // Its name changed: still connected.
      const renamed = await admin.put(`/api/v1/admin/mailboxes/${id}`, { ...mailbox, name: 'Relay desk' });
      assert.equal(renamed.statusCode, 200, record(renamed.body));
      assert.equal((await grantOf(id)).state, 'connected');
      // Another port: not connected any more, no token kept, the client kept; audited.
      const moved = await admin.put(`/api/v1/admin/mailboxes/${id}`, {
        ...mailbox,
        name: 'Relay desk',
        smtpPort: 2525,
      });
      assert.equal(moved.statusCode, 200, record(moved.body));
      const grant = (await storage.mailboxOAuth.findGrant(id))!;
      assert.deepEqual([grant.state, grant.refreshSealed, grant.accessSealed], ['not_connected', null, null]);
      assert.equal(grant.clientSecretSet, true);
      await assert.rejects(accessTokenFor(deps, id), /has to be connected again/);
      const audit = await admin.get(`/api/v1/admin/audit?action=mailbox.update&targetId=${id}`);
      const entries = audit.json().items as { changes: { field: string }[] }[];
      assert.ok(
        entries.some((e) => e.changes.some((c) => c.field === 'grant')),
        record(audit.body),
      );
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('a refresh or a connection under way when the mailbox moves stores nothing: it stays disconnected', async () => {
      const { id, mailbox } = await connectedOAuth2Mailbox('Racing');
      const begun = await authorize(id); // a second Connect, its code not yet handed back
      // The provider answers the refresh only once the mailbox has moved.
      let asked!: () => void;
      let answer!: () => void;
      const refreshing = new Promise<void>((resolve) => (asked = resolve));
      const gate = new Promise<void>((resolve) => (answer = resolve));
      const oauth = Object.assign(Object.create(deps.oauth) as Deps['oauth'], {
        refresh: async (...args: Parameters<Deps['oauth']['refresh']>) => {
          asked();
          await gate;
          return deps.oauth.refresh(...args);
        },
      });
      clock.advance(3_600_000);
      const token = accessTokenFor({ ...deps, oauth }, id);
      await refreshing;
      const moved = await admin.put(`/api/v1/admin/mailboxes/${id}`, { ...mailbox, smtpHost: 'smtp.elsewhere.test' });
      assert.equal(moved.statusCode, 200, record(moved.body));
      answer();
      await assert.rejects(token, /has to be connected again/);
      const grant = (await storage.mailboxOAuth.findGrant(id))!;
      assert.deepEqual([grant.state, grant.refreshSealed, grant.accessSealed], ['not_connected', null, null]);
      // The Connect begun before the move is not finished after it.
      assert.equal(await callback(begun), '/admin/mailboxes?oauthError=MAILBOX_OAUTH_FAILED');
      assert.equal((await grantOf(id)).state, 'not_connected');
    });

    // threat: A team mailbox's OAuth2 tokens and client secret
    it('a Connect whose code is being exchanged when the mailbox moves stores no grant', async () => {
      const { id, mailbox } = await connectedOAuth2Mailbox('Exchanging');
      const query = await authorize(id);
      let asked!: () => void;
      let answer!: () => void;
      const exchanging = new Promise<void>((resolve) => (asked = resolve));
      const gate = new Promise<void>((resolve) => (answer = resolve));
      const oauth = deps.oauth as { exchangeCode: Deps['oauth']['exchangeCode'] };
      const own = Object.getOwnPropertyDescriptor(oauth, 'exchangeCode');
      const real = oauth.exchangeCode.bind(oauth);
      oauth.exchangeCode = async (...args) => {
        asked();
        await gate;
        return real(...args);
      };
      try {
        const back = callback(query);
        await exchanging;
        const moved = await admin.put(`/api/v1/admin/mailboxes/${id}`, { ...mailbox, smtpHost: 'smtp.elsewhere.test' });
        assert.equal(moved.statusCode, 200, record(moved.body));
        answer();
        assert.match(await back, /oauthError=MAILBOX_OAUTH_FAILED/);
      } finally {
        if (own) Object.defineProperty(oauth, 'exchangeCode', own);
        else delete (oauth as Partial<typeof oauth>).exchangeCode;
      }
      const grant = (await storage.mailboxOAuth.findGrant(id))!;
      assert.deepEqual([grant.state, grant.refreshSealed, grant.accessSealed], ['not_connected', null, null]);
    });

    it('never shows a token or the client secret in an answer', () => {
      assert.ok(provider.state.issued.length > 0 && answers.length > 0);
      for (const body of answers) {
        assert.ok(!body.includes(CLIENT_SECRET), 'no client secret');
        for (const token of provider.state.issued) assert.ok(!body.includes(token), 'no token');
      }
    });
  });
}
