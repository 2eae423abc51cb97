/**
 * Two dispatchers needing the same mailbox's access token at once (issue 14): two storages with their own
 * connections on one database (as two processes have), on a SQLite file and on PostgreSQL, against a real
 * authorization server. The token has under the refresh margin left: one of them refreshes, the other waits for it
 * and takes the token it stored; the provider answers one refresh.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { accessTokenFor } from '../../src/domain/mailboxes/oauth/access-token.ts';
import { cleanOAuthSettings } from '../../src/domain/mailboxes/oauth/mailbox-oauth.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { testDeps, TestClock } from '../support/fixtures.ts';
import { startOAuthProvider } from '../support/oauth-provider.ts';

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

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
        const mailbox = await createMailbox(a, CLI_ORIGIN, {
          name: 'Support',
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
        await first.storage.mailboxOAuth.saveSettings(mailbox.id, settings, null, at);
        await first.storage.mailboxOAuth.storeGrant(
          mailbox.id,
          {
            refreshSealed: a.secrets.seal('refresh-token-of-the-grant'),
            accessSealed: a.secrets.seal('an-access-token-about-to-expire'),
            accessExpiresAt: new Date(clock.now().getTime() + 60_000).toISOString(), // under the margin
          },
          at,
        );
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
  });
}
