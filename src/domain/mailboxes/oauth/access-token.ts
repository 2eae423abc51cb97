import type { OAuthClient } from '../../../ports/oauth-client.ts';
import { OAuthRefused } from '../../../ports/oauth-client.ts';
import type { Deps, StorageOf } from '../../deps.ts';
import { DomainError } from '../../errors.ts';
import { oauthReconnectSentence, oauthUnavailableSentence } from '../../notifications/delivery-results.ts';
import { scrubAndCut } from '../../parameters/secret-scrub.ts';
import { endpointsOf } from './connect-mailbox.ts';

/** An access token is refreshed when it has less than this left (a batch of mail takes less). */
export const REFRESH_MARGIN_MS = 120_000;
/**
 * A token a server refused is renewed only when it was stored longer ago than this, so a refusal a new token does not
 * cure (the protocol disabled for the account, say) costs one refresh a minute at most, not one per retry.
 */
export const RENEW_AFTER_MS = 60_000;
/**
 * How long one process may hold the right to refresh before another may take it over. Not renewed: the OAuthClient
 * gives a refresh up well before (the adapter's TOKEN_REQUEST_TIMEOUT_MS, 10 s).
 */
export const REFRESH_LEASE_MS = 30_000;
const WAIT_STEP_MS = 100;

export type TokenDeps = Pick<Deps, 'clock' | 'secrets'> & {
  site: { publicUrl?: string };
  oauth: OAuthClient;
  storage: StorageOf<'mailboxOAuth'>;
  /** Waiting for another process's refresh (a test may make it instant). */
  sleep?: (ms: number) => Promise<void>;
};

const reconnect = (mailboxId: number, reason: string | null) =>
  new DomainError('MAILBOX_OAUTH_RECONNECT', oauthReconnectSentence(mailboxId, reason), { details: { mailboxId } });

/** Why a grant whose refresh token this process's key cannot open is not used (the grant itself is left as it is). */
export const TOKENS_UNREADABLE =
  'its stored tokens cannot be opened with the current secret key (was PARLEY_SECRET_KEY changed?)';

/** The provider's endpoints; a client secret the key cannot open defers the mail with that reason (nothing asked). */
function endpointsOrWhy(deps: TokenDeps, grant: Parameters<typeof endpointsOf>[1], mailboxId: number) {
  try {
    return endpointsOf(deps, grant);
  } catch (error) {
    if (error instanceof DomainError && error.code === 'MAILBOX_OAUTH_NOT_SET')
      throw reconnect(
        mailboxId,
        'its OAuth2 client secret cannot be opened with the current secret key (was PARLEY_SECRET_KEY changed?): enter it again and save',
      );
    throw error;
  }
}

/** A sealed token opened, or null when this process's key cannot open it (a changed or wrong key). */
function openOrNull(secrets: TokenDeps['secrets'], sealed: string | null): string | null {
  if (sealed === null) return null;
  try {
    return secrets.open(sealed);
  } catch {
    return null;
  }
}

/**
 * A live access token for a mailbox's XOAUTH2 (and the account it is for). A token with less than REFRESH_MARGIN_MS
 * left is refreshed first, by one process at a time across every dispatcher (a lease on the grant's row); the others
 * wait for its result. A refresh the provider refuses (a revoked or expired grant) marks the mailbox "reconnect
 * needed" with the provider's reason; so does any failure. Throws MAILBOX_OAUTH_RECONNECT then, which defers mail.
 */
export async function accessTokenFor(
  deps: TokenDeps,
  mailboxId: number,
  stale?: string,
): Promise<{ user: string; accessToken: string }> {
  const sleep = deps.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
  let seen: number | null = null; // the refreshes counted when this call first looked
  for (let waited = 0; ; waited += WAIT_STEP_MS) {
    const grant = await deps.storage.mailboxOAuth.findGrant(mailboxId);
    if (!grant || grant.state !== 'connected' || !grant.refreshSealed)
      throw reconnect(mailboxId, grant?.lastError ?? null);
    // A refresh token the key cannot open: its mail waits with that reason. The grant is not marked for reconnecting,
    // since one process started with a wrong key must not break the mailbox for the others.
    const refreshToken = openOrNull(deps.secrets, grant.refreshSealed);
    if (refreshToken === null) throw reconnect(mailboxId, TOKENS_UNREADABLE);
    const now = deps.clock.now();
    // An access token the key cannot open counts as expired: a new one is asked for with the refresh token.
    const access = openOrNull(deps.secrets, grant.accessSealed);
    const left = access !== null && grant.accessExpiresAt ? Date.parse(grant.accessExpiresAt) - now.getTime() : 0;
    // Live enough; or refreshed by another process while this one waited (however short the provider makes it).
    const refreshedMeanwhile = seen !== null && grant.refreshes > seen && left > 0;
    // A server refused `stale` though it looked live: refreshed now, unless another process already did.
    const refused =
      stale !== undefined && now.getTime() - Date.parse(grant.updatedAt) > RENEW_AFTER_MS && access === stale;
    if (access !== null && ((left > REFRESH_MARGIN_MS && !refused) || refreshedMeanwhile))
      return { user: grant.login, accessToken: access };
    seen ??= grant.refreshes;
    const endpoints = endpointsOrWhy(deps, grant, mailboxId);
    const until = new Date(now.getTime() + REFRESH_LEASE_MS).toISOString();
    // Only while no refresh happened since this read: the refresh token read is the one the provider still takes.
    if (await deps.storage.mailboxOAuth.takeRefreshLease(mailboxId, now.toISOString(), until, grant.refreshes)) {
      try {
        const tokens = await deps.oauth.refresh(endpoints, refreshToken);
        const at = deps.clock.now();
        const stored = await deps.storage.mailboxOAuth.storeRefreshed(
          mailboxId,
          {
            accessSealed: deps.secrets.seal(tokens.accessToken),
            accessExpiresAt: new Date(at.getTime() + (tokens.expiresIn ?? 3600) * 1000).toISOString(),
            refreshSealed: tokens.refreshToken ? deps.secrets.seal(tokens.refreshToken) : null,
          },
          at.toISOString(),
          grant.refreshes,
        );
        // Disconnected or changed while the provider answered (its servers moved, say): this token is not used, and
        // the grant is read again (not connected: refused; refreshed by another process: theirs).
        if (!stored) continue;
        return { user: grant.login, accessToken: tokens.accessToken };
      } catch (error) {
        // A provider may echo what it was sent (the refresh token, the client secret): removed before it is kept.
        const reason = scrubAndCut(
          error instanceof Error ? error.message : String(error),
          [refreshToken, endpoints.clientSecret, access].map((password) => ({ user: null, password })),
          300,
        );
        // The provider refused (a revoked or expired grant): connect again. Anything else (the provider unreachable,
        // a 5xx) leaves the grant as it is: its mail waits and the next try refreshes again.
        if (!(error instanceof OAuthRefused)) {
          await deps.storage.mailboxOAuth.releaseRefreshLease(mailboxId);
          // Still MAILBOX_OAUTH_RECONNECT to its callers: the mail waits (deferred), with this sentence as the reason.
          throw new DomainError('MAILBOX_OAUTH_RECONNECT', oauthUnavailableSentence(mailboxId, reason), {
            details: { mailboxId },
          });
        }
        await deps.storage.mailboxOAuth.markReconnectNeeded(mailboxId, reason, deps.clock.now().toISOString());
        throw reconnect(mailboxId, reason);
      }
    }
    // Another process is refreshing: its result is read again shortly.
    if (waited > REFRESH_LEASE_MS) throw reconnect(mailboxId, 'a refresh of the access token did not finish');
    await sleep(WAIT_STEP_MS);
  }
}

/** The deps with `accessToken` for sendingAccounts, when OAuth2 is wired (deps.oauth). */
export function withAccessTokens<
  D extends Omit<TokenDeps, 'oauth' | 'storage'> & {
    oauth?: OAuthClient | undefined;
    storage: StorageOf<'mailboxOAuth'>;
  },
>(
  deps: D,
): D & { accessToken?: (mailboxId: number, stale?: string) => Promise<{ user: string; accessToken: string }> } {
  const oauth = deps.oauth;
  return oauth
    ? { ...deps, accessToken: (id: number, stale?: string) => accessTokenFor({ ...deps, oauth }, id, stale) }
    : deps;
}
