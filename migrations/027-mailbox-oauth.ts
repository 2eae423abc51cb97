import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * OAuth2 for mailboxes (`domain/mailboxes/oauth/`): `mailbox_oauth`, a mailbox's OAuth2 client (provider, client id,
 * sealed client secret, endpoints, scopes, the account it signs in as) and its grant (sealed refresh and access
 * tokens, the access token's expiry, a lease held while one process refreshes, the state and the provider's last
 * error); `oauth_pending`, an authorization under way (the hash of its `state`, the sealed PKCE verifier, who
 * started it, until when it may come back).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('mailbox_oauth')
    .addColumn('mailbox_id', 'integer', (c) => c.primaryKey().references('mailbox.id').onDelete('cascade'))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('client_secret_sealed', 'text')
    .addColumn('tenant', 'text')
    .addColumn('authorize_url', 'text', (c) => c.notNull())
    .addColumn('token_url', 'text', (c) => c.notNull())
    .addColumn('scopes', 'text', (c) => c.notNull())
    .addColumn('login', 'text', (c) => c.notNull())
    .addColumn('state', 'text', (c) => c.notNull())
    .addColumn('last_error', 'text')
    .addColumn('refresh_sealed', 'text')
    .addColumn('access_sealed', 'text')
    .addColumn('access_expires_at', t.timestamp)
    .addColumn('refreshing_until', t.timestamp)
    .addColumn('refreshes', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('updated_at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema
    .createTable('oauth_pending')
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('mailbox_id', 'integer', (c) => c.notNull().references('mailbox.id').onDelete('cascade'))
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('verifier_sealed', 'text', (c) => c.notNull())
    .addColumn('expires_at', t.timestamp, (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oauth_pending').execute();
  await db.schema.dropTable('mailbox_oauth').execute();
}
