import { DomainError } from '../../errors.ts';

/** Where a mailbox's OAuth2 grant stands. */
export const OAUTH_STATES = ['not_connected', 'connected', 'reconnect_needed'] as const;
export type OAuthState = (typeof OAUTH_STATES)[number];

export const OAUTH_PROVIDERS = ['microsoft', 'google', 'custom'] as const;
export type OAuthProvider = (typeof OAUTH_PROVIDERS)[number];

/** The presets: endpoints and scopes for SMTP and IMAP with XOAUTH2 (a refresh token needs offline access). */
export const OAUTH_PRESETS = {
  microsoft: {
    authorizeUrl: (tenant: string) => `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/authorize`,
    tokenUrl: (tenant: string) => `https://login.microsoftonline.com/${tenant}/oauth2/v2.0/token`,
    scopes: 'https://outlook.office.com/SMTP.Send https://outlook.office.com/IMAP.AccessAsUser.All offline_access',
    extra: {} as Record<string, string>,
  },
  google: {
    authorizeUrl: () => 'https://accounts.google.com/o/oauth2/v2/auth',
    tokenUrl: () => 'https://oauth2.googleapis.com/token',
    scopes: 'https://mail.google.com/',
    extra: { access_type: 'offline', prompt: 'consent' } as Record<string, string>,
  },
} as const;

/** A mailbox's OAuth2 client and the state of its grant, as an administrator sees it (never a token or secret). */
export interface MailboxOAuth {
  mailboxId: number;
  provider: OAuthProvider;
  clientId: string;
  clientSecretSet: boolean;
  tenant: string | null;
  authorizeUrl: string;
  tokenUrl: string;
  scopes: string;
  /** The account it signs in to SMTP and IMAP as (XOAUTH2's user). */
  login: string;
  state: OAuthState;
  /** The provider's reason when the grant stopped working (a refresh refused, a connection failed). */
  lastError: string | null;
  /** When the access token held expires (null: none held). */
  accessExpiresAt: string | null;
  updatedAt: string;
}

/** What an administrator gives; `clientSecret` omitted or null keeps the stored one, "" removes it. */
export interface MailboxOAuthInput {
  provider: string;
  clientId: string;
  clientSecret?: string | null;
  tenant?: string | null;
  authorizeUrl?: string | null;
  tokenUrl?: string | null;
  scopes?: string | null;
  login: string;
}

export type MailboxOAuthSettings = Pick<
  MailboxOAuth,
  'provider' | 'clientId' | 'tenant' | 'authorizeUrl' | 'tokenUrl' | 'scopes' | 'login'
>;

const invalid = (field: string, message: string) => new DomainError('MAILBOX_INVALID', message, { details: { field } });

const HTTP_URL = /^https?:\/\/[^\s/?#]+(?:\/[^\s]*)?$/i;

/** Checks an administrator's OAuth2 settings; a preset fills its endpoints and scopes. */
export function cleanOAuthSettings(input: MailboxOAuthInput): MailboxOAuthSettings {
  if (!OAUTH_PROVIDERS.includes(input.provider as OAuthProvider))
    throw invalid('provider', `The OAuth2 provider is one of ${OAUTH_PROVIDERS.join(', ')}.`);
  const provider = input.provider as OAuthProvider;
  const clientId = input.clientId.trim();
  if (!clientId || clientId.length > 500)
    throw invalid('clientId', 'Give the client (application) ID the provider issued.');
  const login = input.login.trim();
  if (!login || login.length > 320 || /\s/.test(login))
    throw invalid('login', 'Give the mailbox account Parley signs in as (usually its address).');
  if (provider === 'custom') {
    const authorizeUrl = input.authorizeUrl?.trim() ?? '';
    const tokenUrl = input.tokenUrl?.trim() ?? '';
    if (!HTTP_URL.test(authorizeUrl))
      throw invalid('authorizeUrl', 'Give the provider’s authorization endpoint (https://…).');
    if (!HTTP_URL.test(tokenUrl)) throw invalid('tokenUrl', 'Give the provider’s token endpoint (https://…).');
    const scopes = input.scopes?.trim() ?? '';
    if (!scopes || scopes.length > 1000) throw invalid('scopes', 'Give the scopes to ask for, separated by spaces.');
    return { provider, clientId, tenant: null, authorizeUrl, tokenUrl, scopes, login };
  }
  const preset = OAUTH_PRESETS[provider];
  const tenant = provider === 'microsoft' ? input.tenant?.trim() || 'organizations' : null;
  if (tenant !== null && !/^[A-Za-z0-9.-]{1,100}$/.test(tenant))
    throw invalid('tenant', 'The tenant is a directory ID or domain (or "organizations").');
  return {
    provider,
    clientId,
    tenant,
    authorizeUrl: preset.authorizeUrl(tenant ?? ''),
    tokenUrl: preset.tokenUrl(tenant ?? ''),
    scopes: input.scopes?.trim() || preset.scopes,
    login,
  };
}

/** Extra authorization parameters a provider needs to issue a refresh token. */
export const extraParameters = (provider: OAuthProvider): Record<string, string> =>
  provider === 'custom' ? {} : OAUTH_PRESETS[provider].extra;
