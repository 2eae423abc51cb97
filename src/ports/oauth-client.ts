/** An OAuth2 authorization server as a mailbox's settings name it. */
export interface OAuthEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string | null;
  redirectUri: string;
}

export interface OAuthTokens {
  accessToken: string;
  /** A new refresh token when the server rotates it; null: keep the one held. */
  refreshToken: string | null;
  /** Seconds the access token lives, as the server said (null: not said). */
  expiresIn: number | null;
  /** The scopes granted, when the server says (space-separated); null: not said (then those asked for). */
  scope: string | null;
}

/** The server refused (an OAuth2 error answer: `invalid_grant` when the grant was revoked or expired). */
export class OAuthRefused extends Error {
  constructor(
    readonly error: string,
    readonly description: string | null,
  ) {
    super(description ? `${error}: ${description}` : error);
  }
}

/** The authorization-code flow with PKCE and the refresh of tokens (the adapter: oauth4webapi). */
export interface OAuthClient {
  /** A PKCE verifier and its S256 challenge, and a `state`, each with 256 random bits. */
  newAuthorization(): Promise<{ state: string; verifier: string; challenge: string }>;
  authorizationUrl(
    e: OAuthEndpoints,
    a: { scopes: string; state: string; challenge: string; extra: Record<string, string> },
  ): string;
  /** Exchanges the code of a callback whose `state` was checked. Throws OAuthRefused. */
  exchangeCode(e: OAuthEndpoints, callback: URLSearchParams, state: string, verifier: string): Promise<OAuthTokens>;
  /**
   * Throws OAuthRefused when the server refuses; any other error when it cannot be reached or does not answer in a
   * bounded time, which must stay well under the refresh lease (REFRESH_LEASE_MS) the caller holds meanwhile.
   */
  refresh(e: OAuthEndpoints, refreshToken: string): Promise<OAuthTokens>;
}
