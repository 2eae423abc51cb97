import type { MailboxOAuth, MailboxOAuthSettings } from '../../domain/mailboxes/oauth/mailbox-oauth.ts';

/** A mailbox's grant with its sealed secrets, for the domain only (never returned by the API). */
export interface MailboxOAuthGrant extends MailboxOAuth {
  clientSecretSealed: string | null;
  refreshSealed: string | null;
  accessSealed: string | null;
  refreshingUntil: string | null;
  /** How many refreshes this grant has had (a counter for operators and tests). */
  refreshes: number;
}

export interface PendingAuthorization {
  stateHash: string;
  mailboxId: number;
  userId: number;
  verifierSealed: string;
  expiresAt: string;
}

/** Mailboxes' OAuth2 clients and grants, and authorizations under way (migration 027). */
export interface MailboxOAuthRepository {
  findGrant(mailboxId: number): Promise<MailboxOAuthGrant | undefined>;
  /** Where every mailbox's grant stands, for the list of mailboxes. */
  grantStates(): Promise<Pick<MailboxOAuth, 'mailboxId' | 'provider' | 'login' | 'state' | 'lastError'>[]>;
  /** Sets the client; a change of client, endpoints, scopes or account drops the grant (connect again). */
  saveSettings(
    mailboxId: number,
    settings: MailboxOAuthSettings,
    secret: string | null | undefined,
    at: string,
  ): Promise<void>;
  /**
   * A new grant from a finished authorization: connected, while the grant is as it was read (`refreshes` counted);
   * false, nothing stored, when it was disconnected or its client changed meanwhile.
   */
  storeGrant(
    mailboxId: number,
    g: { refreshSealed: string; accessSealed: string; accessExpiresAt: string },
    at: string,
    refreshes: number,
  ): Promise<boolean>;
  /**
   * Takes the right to refresh until `until` when no one holds it (or theirs ran out) and the grant has had exactly
   * `refreshes` refreshes (none since it was read: its refresh token is the one read).
   */
  takeRefreshLease(mailboxId: number, now: string, until: string, refreshes: number): Promise<boolean>;
  /**
   * A refresh's tokens, stored only while the grant is as it was read (`refreshes` counted, its refresh token still
   * there): false when it was disconnected, changed or refreshed by another process meanwhile, and nothing is stored.
   */
  storeRefreshed(
    mailboxId: number,
    g: { accessSealed: string; accessExpiresAt: string; refreshSealed: string | null },
    at: string,
    refreshes: number,
  ): Promise<boolean>;
  /** The grant no longer works: why, in the provider's words; the access token is dropped, the lease released. */
  markReconnectNeeded(mailboxId: number, reason: string, at: string): Promise<void>;
  /** Gives the right to refresh back (the refresh failed without the provider refusing the grant). */
  releaseRefreshLease(mailboxId: number): Promise<void>;
  /** A connection that did not complete: why, kept on a grant that is not connected (a connected one is left as is). */
  noteConnectFailure(mailboxId: number, reason: string, at: string): Promise<void>;
  /**
   * The grant's tokens gone, the client kept, authorizations under way forgotten: the mailbox has to be connected
   * again (its servers moved).
   */
  disconnect(mailboxId: number, at: string): Promise<void>;
  /** The client and grant gone (the mailbox no longer signs in with OAuth2). */
  removeGrant(mailboxId: number): Promise<void>;
  addPending(p: PendingAuthorization): Promise<void>;
  /** The authorization of this state, removed (so it is used once); undefined if unknown or expired. */
  takePending(stateHash: string, now: string): Promise<PendingAuthorization | undefined>;
}
