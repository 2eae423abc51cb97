import type { Selectable } from 'kysely';
import type {
  OAuthProvider,
  OAuthState,
  MailboxOAuthSettings,
} from '../../../../domain/mailboxes/oauth/mailbox-oauth.ts';
import type {
  MailboxOAuthGrant,
  MailboxOAuthRepository,
  PendingAuthorization,
} from '../../../../ports/storage/mailbox-oauth.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';

type Row = Selectable<Database['mailbox_oauth']>;

const grantOf = (r: Row): MailboxOAuthGrant => ({
  mailboxId: r.mailbox_id,
  provider: r.provider as OAuthProvider,
  clientId: r.client_id,
  clientSecretSet: r.client_secret_sealed !== null,
  tenant: r.tenant,
  authorizeUrl: r.authorize_url,
  tokenUrl: r.token_url,
  scopes: r.scopes,
  login: r.login,
  state: r.state as OAuthState,
  lastError: r.last_error,
  accessExpiresAt: r.access_expires_at,
  updatedAt: r.updated_at,
  clientSecretSealed: r.client_secret_sealed,
  refreshSealed: r.refresh_sealed,
  accessSealed: r.access_sealed,
  refreshingUntil: r.refreshing_until,
  refreshes: Number(r.refreshes),
});

/**
 * A grant undone: not connected, no token kept, no refresh under way. Its writers also count a refresh, so a refresh
 * begun before (`storeRefreshed` of the count it read) stores nothing after.
 */
const DROP_GRANT = {
  state: 'not_connected',
  last_error: null,
  refresh_sealed: null,
  access_sealed: null,
  access_expires_at: null,
  refreshing_until: null,
};

export class SqlMailboxOAuthRepository extends SqlRepository implements MailboxOAuthRepository {
  async findGrant(mailboxId: number) {
    const r = await this.db
      .selectFrom('mailbox_oauth')
      .selectAll()
      .where('mailbox_id', '=', mailboxId)
      .executeTakeFirst();
    return r ? grantOf(r) : undefined;
  }

  async grantStates() {
    const rows = await this.db
      .selectFrom('mailbox_oauth')
      .select(['mailbox_id', 'provider', 'login', 'state', 'last_error'])
      .execute();
    return rows.map((r) => ({
      mailboxId: r.mailbox_id,
      provider: r.provider as OAuthProvider,
      login: r.login,
      state: r.state as OAuthState,
      lastError: r.last_error,
    }));
  }

  async saveSettings(mailboxId: number, s: MailboxOAuthSettings, secret: string | null | undefined, at: string) {
    const old = await this.findGrant(mailboxId);
    const row = {
      provider: s.provider,
      client_id: s.clientId,
      tenant: s.tenant,
      authorize_url: s.authorizeUrl,
      token_url: s.tokenUrl,
      scopes: s.scopes,
      login: s.login,
      updated_at: at,
      ...(secret !== undefined ? { client_secret_sealed: secret } : {}),
    };
    const same =
      old &&
      old.provider === s.provider &&
      old.clientId === s.clientId &&
      old.authorizeUrl === s.authorizeUrl &&
      old.tokenUrl === s.tokenUrl &&
      old.scopes === s.scopes &&
      old.login === s.login;
    if (!old) {
      await this.db
        .insertInto('mailbox_oauth')
        .values({ mailbox_id: mailboxId, ...row, client_secret_sealed: secret ?? null, ...DROP_GRANT })
        .execute();
    } else {
      await this.db
        .updateTable('mailbox_oauth')
        .set((eb) => ({ ...row, ...(same ? {} : { ...DROP_GRANT, refreshes: eb('refreshes', '+', 1) }) }))
        .where('mailbox_id', '=', mailboxId)
        .execute();
      if (!same) await this.forgetPending(mailboxId);
    }
  }

  /** Authorizations begun for the grant's old settings: their codes are not exchanged under the new ones. */
  private async forgetPending(mailboxId: number) {
    await this.db.deleteFrom('oauth_pending').where('mailbox_id', '=', mailboxId).execute();
  }

  async storeGrant(
    mailboxId: number,
    g: { refreshSealed: string; accessSealed: string; accessExpiresAt: string },
    at: string,
    refreshes: number,
  ) {
    const r = await this.db
      .updateTable('mailbox_oauth')
      .set({
        state: 'connected',
        last_error: null,
        refresh_sealed: g.refreshSealed,
        access_sealed: g.accessSealed,
        access_expires_at: g.accessExpiresAt,
        refreshing_until: null,
        updated_at: at,
      })
      .where('mailbox_id', '=', mailboxId)
      .where('refreshes', '=', refreshes)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async takeRefreshLease(mailboxId: number, now: string, until: string, refreshes: number) {
    const r = await this.db
      .updateTable('mailbox_oauth')
      .set({ refreshing_until: until })
      .where('mailbox_id', '=', mailboxId)
      .where('refreshes', '=', refreshes)
      .where((eb) => eb.or([eb('refreshing_until', 'is', null), eb('refreshing_until', '<', now)]))
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async storeRefreshed(
    mailboxId: number,
    g: { accessSealed: string; accessExpiresAt: string; refreshSealed: string | null },
    at: string,
    refreshes: number,
  ) {
    const r = await this.db
      .updateTable('mailbox_oauth')
      .set((eb) => ({
        state: 'connected',
        last_error: null,
        access_sealed: g.accessSealed,
        access_expires_at: g.accessExpiresAt,
        ...(g.refreshSealed !== null ? { refresh_sealed: g.refreshSealed } : {}),
        refreshing_until: null,
        refreshes: eb('refreshes', '+', 1),
        updated_at: at,
      }))
      .where('mailbox_id', '=', mailboxId)
      .where('refreshes', '=', refreshes)
      .where('refresh_sealed', 'is not', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) === 1;
  }

  async releaseRefreshLease(mailboxId: number) {
    await this.db
      .updateTable('mailbox_oauth')
      .set({ refreshing_until: null })
      .where('mailbox_id', '=', mailboxId)
      .execute();
  }

  async noteConnectFailure(mailboxId: number, reason: string, at: string) {
    await this.db
      .updateTable('mailbox_oauth')
      .set({ last_error: reason, updated_at: at })
      .where('mailbox_id', '=', mailboxId)
      .where('state', '<>', 'connected')
      .execute();
  }

  async disconnect(mailboxId: number, at: string) {
    await this.db
      .updateTable('mailbox_oauth')
      .set((eb) => ({ ...DROP_GRANT, refreshes: eb('refreshes', '+', 1), updated_at: at }))
      .where('mailbox_id', '=', mailboxId)
      .execute();
    await this.forgetPending(mailboxId);
  }

  async removeGrant(mailboxId: number) {
    await this.db.deleteFrom('mailbox_oauth').where('mailbox_id', '=', mailboxId).execute();
  }

  async markReconnectNeeded(mailboxId: number, reason: string, at: string) {
    await this.db
      .updateTable('mailbox_oauth')
      .set({
        state: 'reconnect_needed',
        last_error: reason,
        access_sealed: null,
        access_expires_at: null,
        refreshing_until: null,
        updated_at: at,
      })
      .where('mailbox_id', '=', mailboxId)
      .execute();
  }

  async addPending(p: PendingAuthorization) {
    await this.db
      .insertInto('oauth_pending')
      .values({
        state_hash: p.stateHash,
        mailbox_id: p.mailboxId,
        user_id: p.userId,
        verifier_sealed: p.verifierSealed,
        expires_at: p.expiresAt,
      })
      .execute();
  }

  async takePending(stateHash: string, now: string) {
    await this.db.deleteFrom('oauth_pending').where('expires_at', '<', now).execute();
    const r = await this.db
      .deleteFrom('oauth_pending')
      .where('state_hash', '=', stateHash)
      .returningAll()
      .executeTakeFirst();
    return r
      ? {
          stateHash: r.state_hash,
          mailboxId: r.mailbox_id,
          userId: r.user_id,
          verifierSealed: r.verifier_sealed,
          expiresAt: r.expires_at,
        }
      : undefined;
  }
}
