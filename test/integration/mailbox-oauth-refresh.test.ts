/**
 * Two dispatchers needing the same mailbox's access token at once (issue 14): two storages with their own
 * connections on one database (as two processes have), on a SQLite file and on PostgreSQL, against a real
 * authorization server. The token has under the refresh margin left: one of them refreshes, the other waits for it
 * and takes the token it stored; the provider answers one refresh. After a change of the secret key, an access token
 * the key cannot open is replaced by a refresh, and a refresh token it cannot open defers the mail with that reason,
 * the grant left as it is.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { AesGcmSecretBox } from '../../src/adapters/crypto/aes-gcm-secret-box.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { accessTokenFor, TOKENS_UNREADABLE } from '../../src/domain/mailboxes/oauth/access-token.ts';
import { cleanOAuthSettings } from '../../src/domain/mailboxes/oauth/mailbox-oauth.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { testDeps, TestClock } from '../support/fixtures.ts';
import { startOAuthProvider } from '../support/oauth-provider.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
const OTHER_KEY = new AesGcmSecretBox('another-key-another-key-another-key-0123');

type Deps = ReturnType<typeof testDeps>;

/** An OAuth2 mailbox connected to `provider`, its tokens sealed by the boxes given (the deps' own key by default). */
async function connectedMailbox(
  deps: Deps,
  provider: { issuer: string },
  clock: TestClock,
  grant: {
    accessExpiresInMs: number;
    refreshBox?: Deps['secrets'];
    accessBox?: Deps['secrets'];
    /** A confidential client's secret, sealed by this box (none by default). */
    clientSecretBox?: Deps['secrets'];
    name?: string;
  },
) {
  const mailbox = await createMailbox(deps, CLI_ORIGIN, {
    name: grant.name ?? 'Support',
    fromAddress: 'support@example.test',
    smtpHost: 'smtp.example.test',
    smtpPort: 587,
    smtpSecurity: 'starttls',
    smtpAuth: 'oauth2',
  });
  const at = clock.now().toISOString();
  const settings = cleanOAuthSettings({
    provider: 'custom',
    clientId: 'parley-test',
    authorizeUrl: `${provider.issuer}/authorize`,
    tokenUrl: `${provider.issuer}/token`,
    scopes: 'mail.send offline_access',
    login: 'support@example.test',
  });
  const clientSecret = grant.clientSecretBox ? grant.clientSecretBox.seal('client-secret-of-the-app') : null;
  await deps.storage.mailboxOAuth.saveSettings(mailbox.id, settings, clientSecret, at);
  await deps.storage.mailboxOAuth.storeGrant(
    mailbox.id,
    {
      refreshSealed: (grant.refreshBox ?? deps.secrets).seal('refresh-token-of-the-grant'),
      accessSealed: (grant.accessBox ?? deps.secrets).seal('an-access-token-of-the-grant'),
      accessExpiresAt: new Date(clock.now().getTime() + grant.accessExpiresInMs).toISOString(),
    },
    at,
    (await deps.storage.mailboxOAuth.findGrant(mailbox.id))!.refreshes,
  );
  return mailbox;
}

for (const database of [sqliteFile, postgres]) {
  describe(`two dispatchers refreshing one grant on ${database.name}`, () => {
    it('makes one refresh; both get the token it stored', async () => {
      const first = await database.open();
      const second = first.url.startsWith('sqlite:')
        ? openSqliteStorage(first.url.slice('sqlite:'.length))
        : openPostgresStorage(first.url, { max: 2 });
      const provider = await startOAuthProvider();
      try {
        const clock = new TestClock();
        const a = testDeps(first.storage, clock);
        const b = { ...testDeps(second, clock), secrets: a.secrets };
        const mailbox = await connectedMailbox(a, provider, clock, { accessExpiresInMs: 60_000 }); // under the margin
        const [one, two] = await Promise.all([
          accessTokenFor({ ...a, sleep }, mailbox.id),
          accessTokenFor({ ...b, sleep }, mailbox.id),
        ]);
        assert.equal(provider.state.refreshRequests, 1, 'one refresh for both');
        assert.equal(one.accessToken, two.accessToken);
        assert.ok(provider.state.issued.includes(one.accessToken), 'the token the provider gave');
        const grant = (await second.mailboxOAuth.findGrant(mailbox.id))!;
        assert.deepEqual([grant.state, grant.refreshes, grant.refreshingUntil], ['connected', 1, null]);
      } finally {
        await provider.stop();
        await second.close();
        await first.storage.close();
        await first.drop();
      }
    });

    it('after a key change: an access token it cannot open is refreshed; a refresh token it cannot open defers', async () => {
      const db = await database.open();
      const provider = await startOAuthProvider();
      try {
        const clock = new TestClock();
        const deps = testDeps(db.storage, clock);
        // A live access token sealed under another key, the refresh token under this one: a refresh, a new token.
        const live = await connectedMailbox(deps, provider, clock, {
          accessExpiresInMs: 3_600_000,
          accessBox: OTHER_KEY,
        });
        const renewed = await accessTokenFor({ ...deps, sleep }, live.id);
        assert.equal(provider.state.refreshRequests, 1);
        assert.ok(provider.state.issued.includes(renewed.accessToken));

        // Both under another key: MAILBOX_OAUTH_RECONNECT (the mail is deferred with the reason), the grant untouched.
        const other = await connectedMailbox(deps, provider, clock, {
          accessExpiresInMs: 3_600_000,
          accessBox: OTHER_KEY,
          refreshBox: OTHER_KEY,
          name: 'Sales',
        });
        await assert.rejects(
          accessTokenFor({ ...deps, sleep }, other.id),
          (e: unknown) =>
            e instanceof DomainError && e.code === 'MAILBOX_OAUTH_RECONNECT' && e.message.includes(TOKENS_UNREADABLE),
        );
        assert.equal(provider.state.refreshRequests, 1, 'no refresh asked with a token it could not open');
        // The client secret under another key, a refresh due: deferred with that reason, the provider not asked.
        const client = await connectedMailbox(deps, provider, clock, {
          accessExpiresInMs: 60_000,
          clientSecretBox: OTHER_KEY,
          name: 'Billing',
        });
        await assert.rejects(
          accessTokenFor({ ...deps, sleep }, client.id),
          (e: unknown) =>
            e instanceof DomainError &&
            e.code === 'MAILBOX_OAUTH_RECONNECT' &&
            e.message.includes('has to be connected again') &&
            e.message.includes('client secret cannot be opened') &&
            !e.message.includes('could not get an access token'),
        );
        assert.equal(provider.state.refreshRequests, 1);
        assert.equal((await db.storage.mailboxOAuth.findGrant(client.id))!.refreshingUntil, null, 'no lease left');
        const grant = (await db.storage.mailboxOAuth.findGrant(other.id))!;
        assert.deepEqual([grant.state, grant.lastError, grant.refreshingUntil], ['connected', null, null]);
      } finally {
        await provider.stop();
        await db.storage.close();
        await db.drop();
      }
    });
  });
}
