import type { OAuthClient, OAuthEndpoints } from '../../../ports/oauth-client.ts';
import type { Origin } from '../../audit/audit-entry.ts';
import { recordAudit } from '../../audit/record-audit.ts';
import type { Deps, StorageOf } from '../../deps.ts';
import { scrubAndCut } from '../../parameters/secret-scrub.ts';
import { DomainError } from '../../errors.ts';
import type { MailboxOAuthGrant, PendingAuthorization } from '../../../ports/storage/mailbox-oauth.ts';
import { extraParameters } from './mailbox-oauth.ts';

/** How long an authorization may take, from "Connect" to the provider's callback. */
export const AUTHORIZATION_MINUTES = 10;

/** Where the provider sends the administrator back: register exactly this address with the provider. */
export const redirectUri = (publicUrl: string) => `${publicUrl}/api/v1/admin/mailboxes/oauth/callback`;

/** The client secret opened; a key that cannot open it (changed since it was saved) asks for it to be entered again. */
function clientSecretOf(deps: Pick<Deps, 'secrets'>, sealed: string | null): string | null {
  if (!sealed) return null;
  try {
    return deps.secrets.open(sealed);
  } catch {
    throw new DomainError(
      'MAILBOX_OAUTH_NOT_SET',
      'The mailbox’s OAuth2 client secret cannot be opened with the current secret key (was PARLEY_SECRET_KEY changed?): enter the client secret again and save, then connect.',
    );
  }
}

export function endpointsOf(
  deps: Pick<Deps, 'secrets'> & { site: { publicUrl?: string } },
  g: Pick<MailboxOAuthGrant, 'authorizeUrl' | 'tokenUrl' | 'clientId' | 'clientSecretSealed'>,
): OAuthEndpoints {
  return {
    authorizeUrl: g.authorizeUrl,
    tokenUrl: g.tokenUrl,
    clientId: g.clientId,
    clientSecret: clientSecretOf(deps, g.clientSecretSealed),
    // A refresh sends no redirect address; the authorization and its code exchange do.
    redirectUri: deps.site.publicUrl ? redirectUri(deps.site.publicUrl) : '',
  };
}

type ConnectDeps = Pick<Deps, 'clock' | 'secrets' | 'site' | 'tokens'> & {
  oauth: OAuthClient;
  storage: StorageOf<'mailboxes' | 'mailboxOAuth' | 'transaction'>;
};

/**
 * "Connect": an authorization with a fresh `state` and PKCE verifier (kept sealed, bound to who started it, for
 * AUTHORIZATION_MINUTES, usable once); answers the provider's address to send the administrator to.
 */
export async function startMailboxConnect(
  deps: ConnectDeps,
  userId: number,
  mailboxId: number,
): Promise<{ authorizationUrl: string }> {
  const grant = await deps.storage.mailboxOAuth.findGrant(mailboxId);
  if (!grant)
    throw new DomainError(
      'MAILBOX_OAUTH_NOT_SET',
      'Set the mailbox’s OAuth2 provider and client before connecting it.',
    );
  const a = await deps.oauth.newAuthorization();
  const expiresAt = new Date(deps.clock.now().getTime() + AUTHORIZATION_MINUTES * 60_000).toISOString();
  await deps.storage.mailboxOAuth.addPending({
    stateHash: deps.tokens.digest(a.state),
    mailboxId,
    userId,
    verifierSealed: deps.secrets.seal(a.verifier),
    expiresAt,
  });
  const authorizationUrl = deps.oauth.authorizationUrl(endpointsOf(deps, grant), {
    scopes: grant.scopes,
    state: a.state,
    challenge: a.challenge,
    extra: extraParameters(grant.provider),
  });
  return { authorizationUrl };
}

/** Scopes that say only how a grant lives (a refresh token, OpenID Connect's sign-in): never a mail permission. */
const GRANT_ONLY = new Set(['offline_access', 'openid', 'profile', 'email']);

/**
 * The mail scopes asked for that the provider did not grant and the mailbox needs (an administrator who unticked one
 * on the consent page, an app registered without it). A scope naming SMTP is needed only when the mailbox sends with
 * OAuth2, one naming IMAP only when it reads with it (Microsoft's two); any other (Google's one) always. A server
 * that does not say which it granted granted those asked for (RFC 6749 5.1).
 */
export function missingScopes(asked: string, granted: string | null, uses: { smtp: boolean; imap: boolean }): string[] {
  if (granted === null) return [];
  // Compared without case: Microsoft answers with its own capitalisation of the scopes asked for.
  const have = new Set(granted.toLowerCase().split(/\s+/).filter(Boolean));
  const needed = (scope: string) => {
    const s = scope.toLowerCase();
    if (GRANT_ONLY.has(s)) return false;
    if (s.includes('smtp')) return uses.smtp;
    if (s.includes('imap')) return uses.imap;
    return true;
  };
  return asked.split(/\s+/).filter((s) => s && needed(s) && !have.has(s.toLowerCase()));
}

/**
 * The provider's callback: the `state` must be one this administrator started and not yet used, the code is
 * exchanged with its PKCE verifier, and the grant stored sealed (connected). Anything else stores nothing and throws
 * MAILBOX_OAUTH_FAILED with the provider's reason.
 */
export async function finishMailboxConnect(
  deps: ConnectDeps,
  origin: Origin,
  callback: URLSearchParams,
): Promise<number> {
  const state = callback.get('state') ?? '';
  const now = deps.clock.now();
  const pending = state
    ? await deps.storage.mailboxOAuth.takePending(deps.tokens.digest(state), now.toISOString())
    : undefined;
  if (!pending || pending.userId !== origin.actor?.id)
    throw new DomainError(
      'MAILBOX_OAUTH_FAILED',
      'This sign-in with the provider was not started here, was already used, or took too long. Connect again.',
    );
  try {
    return await finishConnect(deps, origin, callback, state, pending, now);
  } catch (error) {
    // Why it failed is kept on a grant not yet connected, for the mailboxes page (never carried in the address).
    const d = error instanceof DomainError ? (error.details as FailureDetails | undefined) : undefined;
    if (d?.problem)
      await deps.storage.mailboxOAuth.noteConnectFailure(
        pending.mailboxId,
        d.providerSaid ?? d.missing?.join(' ') ?? d.problem,
        now.toISOString(),
      );
    throw error;
  }
}

/** What a failed connection's error says, for the callback and the page. */
interface FailureDetails {
  mailboxId: number;
  problem: 'refused' | 'scopes' | 'no-refresh-token';
  providerSaid?: string;
  missing?: string[];
}

async function finishConnect(
  deps: ConnectDeps,
  origin: Origin,
  callback: URLSearchParams,
  state: string,
  pending: PendingAuthorization,
  now: Date,
): Promise<number> {
  const grant = await deps.storage.mailboxOAuth.findGrant(pending.mailboxId);
  const mailbox = await deps.storage.mailboxes.findMailbox(pending.mailboxId);
  if (!grant || !mailbox) throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${pending.mailboxId}.`);
  let tokens;
  const endpoints = endpointsOf(deps, grant);
  const verifier = deps.secrets.open(pending.verifierSealed);
  try {
    tokens = await deps.oauth.exchangeCode(endpoints, callback, state, verifier);
  } catch (error) {
    // A provider may echo what it was sent (the client secret, the code, the PKCE verifier): removed before it is kept.
    const sent = [endpoints.clientSecret, callback.get('code'), verifier].map((password) => ({ user: null, password }));
    const reason = scrubAndCut(error instanceof Error ? error.message : String(error), sent, 300);
    throw new DomainError('MAILBOX_OAUTH_FAILED', `The provider did not grant access: ${reason}`, {
      details: { mailboxId: pending.mailboxId, problem: 'refused', providerSaid: reason },
    });
  }
  if (!tokens.refreshToken)
    throw new DomainError(
      'MAILBOX_OAUTH_FAILED',
      'The provider gave no refresh token, so Parley could not keep the mailbox connected: ask for offline access (Microsoft: the offline_access scope; Google: consent again).',
      { details: { mailboxId: pending.mailboxId, problem: 'no-refresh-token' } },
    );
  const missing = missingScopes(grant.scopes, tokens.scope, {
    smtp: mailbox.smtpAuth === 'oauth2',
    imap: mailbox.imapAuth === 'oauth2',
  });
  if (missing.length > 0)
    throw new DomainError(
      'MAILBOX_OAUTH_FAILED',
      `The provider granted ${tokens.scope ? `only "${tokens.scope}"` : 'no scope'}, not ${missing.join(', ')} that the mailbox needs: add the permission to the app's registration (and grant consent), then connect again.`,
      { details: { mailboxId: pending.mailboxId, problem: 'scopes', missing } },
    );
  const at = now.toISOString();
  const expiresIn = tokens.expiresIn ?? 3600;
  await deps.storage.transaction(async (tx) => {
    const stored = await tx.mailboxOAuth.storeGrant(
      pending.mailboxId,
      {
        refreshSealed: deps.secrets.seal(tokens.refreshToken!),
        accessSealed: deps.secrets.seal(tokens.accessToken),
        accessExpiresAt: new Date(now.getTime() + expiresIn * 1000).toISOString(),
      },
      at,
      grant.refreshes,
    );
    // Its client or servers changed while the code was exchanged: that grant is for what no longer is.
    if (!stored)
      throw new DomainError(
        'MAILBOX_OAUTH_FAILED',
        'The mailbox’s OAuth2 client or servers changed while it was being connected: connect it again.',
        { details: { mailboxId: pending.mailboxId, problem: 'changed' } },
      );
    const mailbox = await tx.mailboxes.findMailbox(pending.mailboxId);
    await recordAudit(tx, deps.clock, origin, {
      action: 'mailbox.oauth.connect',
      target: { type: 'mailbox', id: pending.mailboxId, label: mailbox?.name ?? String(pending.mailboxId) },
      changes: [{ field: 'grant', withheld: 'secret' }],
    });
  });
  return pending.mailboxId;
}
