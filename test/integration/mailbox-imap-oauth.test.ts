/**
 * A team mailbox whose IMAP folder is read with OAuth2 (issue 14, item 3; migration 028), end to end against real
 * servers on loopback: an authorization server (oauth2-mock-server) and Debian's Dovecot whose `oauth2` passdb takes
 * only XOAUTH2 and OAUTHBEARER, asking the authorization server about each token (RFC 7662 introspection). The
 * administrator connects the mailbox; the reader signs in as the grant's account with an access token it refreshes
 * first (the one from the connection is about to expire); a new request in the folder opens a ticket in the team.
 * A token the server never issued, or one of a revoked grant, is refused by Dovecot; after a refused sign-in the reader
 * asks for a new token naming the refused one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ImapFlow } from 'imapflow';
import { ImapMailbox } from '../../src/adapters/inbound/imap-mailbox.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { imapParley } from '../support/imap-parley.ts';
import { DOVECOT_SKIP as skip, startDovecot, type Dovecot } from '../support/dovecot.ts';
import { buildWorld } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';
import { connectMailbox, startOAuthProvider } from '../support/oauth-provider.ts';
import { verified } from '../support/sender.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const ACCOUNT = 'desk@example.test';

describe('a team mailbox read over IMAP with OAuth2, against Dovecot', () => {
  let provider: Awaited<ReturnType<typeof startOAuthProvider>>;
  let dovecot: Dovecot;

  before(async () => {
    if (skip) return;
    provider = await startOAuthProvider();
    provider.state.introspectUser = ACCOUNT;
    dovecot = await startDovecot({ user: ACCOUNT, oauth2: { introspectionUrl: provider.introspectionUrl } });
  });
  after(async () => {
    await dovecot?.stop();
    await provider?.stop();
  });

  /** A token of the authorization server for the test's own IMAP connection (client credentials). */
  async function ownToken(): Promise<string> {
    const answer = await fetch(`${provider.issuer}/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'client_credentials', client_id: 'the-test', scope: 'imap' }),
    });
    const token = ((await answer.json()) as { access_token: string }).access_token;
    provider.state.issued.push(token);
    return token;
  }
  const imapAs = (accessToken: string) =>
    new ImapFlow({
      host: dovecot.host,
      port: dovecot.port,
      secure: false,
      auth: { user: ACCOUNT, accessToken },
      logger: false,
    });

  it(
    'reads the folder as the grant’s account with a refreshed token: a new request opens a ticket in the team',
    { skip },
    async () => {
      const { parley, inbound, ticketOpened, close } = await imapParley({
        PARLEY_PUBLIC_URL: 'https://desk.example.test',
      });
      const app = await testApp(parley.deps);
      const own = imapAs(await ownToken());
      await own.connect();
      try {
        const world = await buildWorld(parley.deps);
        await setParameter(parley.deps, CLI_ORIGIN, world.admin, PARAM.INBOUND_OPEN_TICKETS, true);
        const admin = await signIn(app, world.admin.email);
        const created = await admin.post('/api/v1/admin/mailboxes', {
          name: 'IT',
          fromAddress: 'it@example.test',
          smtpHost: '127.0.0.1',
          smtpPort: 2525,
          smtpSecurity: 'none',
          smtpAuth: 'none',
          imapHost: dovecot.host,
          imapPort: dovecot.port,
          imapSecurity: 'none',
          imapAuth: 'oauth2',
          groupIds: [world.groupB],
        });
        assert.equal(created.statusCode, 201, created.body);
        const mailbox = created.json();
        assert.deepEqual(
          [mailbox.imapAuth, mailbox.imapUser, mailbox.imapPasswordSet, mailbox.oauth],
          ['oauth2', null, false, null],
          'no IMAP user or password of its own; no grant yet',
        );
        provider.state.connectTtl = 60; // less than the refresh margin: the reader refreshes before it signs in
        await connectMailbox(admin, mailbox.id, provider.issuer, ACCOUNT);
        provider.state.connectTtl = 3600;
        const listed = (await admin.get('/api/v1/admin/mailboxes')).json().items[0];
        assert.deepEqual(listed.oauth, { provider: 'custom', login: ACCOUNT, state: 'connected', lastError: null });

        await own.append(
          'INBOX',
          verified(
            eml('new-request-en', {
              FROM: world.requesterA.email,
              FROM_NAME: world.requesterA.name,
              TO: 'it@example.test',
              MESSAGE_ID: `<imap-oauth.${Date.now()}@mail.example.org>`,
            }),
          ),
        );
        const refreshesBefore = provider.state.refreshRequests;
        const introspectionsBefore = provider.state.introspections;
        await inbound.start();
        const ticket = await ticketOpened('the request read from the folder with OAuth2');
        assert.equal(ticket.groupId, world.groupB, 'opened in the mailbox’s team');
        assert.equal(provider.state.refreshRequests - refreshesBefore, 1, 'the token refreshed once, first');
        assert.ok(provider.state.introspections > introspectionsBefore, 'Dovecot asked the server about the token');
        const lock = await own.getMailboxLock('INBOX');
        try {
          assert.deepEqual(await own.search({ seen: false }, { uid: true }), [], 'marked seen once stored');
        } finally {
          lock.release();
        }
      } finally {
        await own.logout().catch(() => {});
        await app.close();
        await close();
      }
    },
  );
  it('the reader asks for a new token, naming the refused one, after Dovecot refuses a sign-in', { skip }, async () => {
    const good = await ownToken();
    const asked: (string | undefined)[] = [];
    const subjects: string[] = [];
    const own = imapAs(good);
    await own.connect();
    const reader = new ImapMailbox(
      {
        host: dovecot.host,
        port: dovecot.port,
        security: 'none',
        user: '',
        password: '',
        oauth2: async (refused) => {
          asked.push(refused);
          return { user: ACCOUNT, accessToken: asked.length === 1 ? 'a-token-revoked-early' : good };
        },
        retryMs: 200,
        pollMs: 30_000,
        log: { info: () => {}, error: () => {} },
      },
      async (raw) => {
        subjects.push(/^Subject: (.*)$/m.exec(raw.toString())?.[1]?.trim() ?? '');
      },
    );
    try {
      await own.append('INBOX', Buffer.from('From: a@example.test\r\nSubject: After a refusal\r\n\r\nHello\r\n'));
      reader.start();
      await waitUntil(async () => subjects.includes('After a refusal'), 'the mail read after the refusal', 15_000);
      assert.deepEqual(asked.slice(0, 2), [undefined, 'a-token-revoked-early']);
    } finally {
      await reader.stop();
      await own.logout().catch(() => {});
    }
  });

  it('refuses a token the authorization server never issued, and one of a revoked grant', { skip }, async () => {
    // Refusals last: Dovecot makes a client that failed wait a little longer each time (its auth penalty).
    const token = await ownToken();
    const live = imapAs(token);
    await live.connect();
    await live.logout();
    const refused = (e: unknown) => (e as { authenticationFailed?: boolean }).authenticationFailed === true;
    await assert.rejects(imapAs('eyJhbGciOiJub25lIn0.eyJleHAiOjk5OTk5OTk5OTl9.').connect(), refused);
    provider.state.revoked = true;
    try {
      await assert.rejects(imapAs(token).connect(), refused);
    } finally {
      provider.state.revoked = false;
    }
  });
});
