import * as oauth from 'oauth4webapi';
import { OAuthRefused, type OAuthClient, type OAuthEndpoints, type OAuthTokens } from '../../ports/oauth-client.ts';

const LOOPBACK = /^(?:127\.\d+\.\d+\.\d+|\[::1\]|localhost)$/i;

/**
 * How long a request to the token endpoint may take, answer included, before it is given up (fetch alone would wait
 * about five minutes for a server that accepts and never answers). Well under the refresh lease (REFRESH_LEASE_MS,
 * 30 s), so no other process takes over a refresh still under way, and a stalled provider defers its mailbox's mail
 * as any unreachable one does.
 */
export const TOKEN_REQUEST_TIMEOUT_MS = 10_000;

/** The server as oauth4webapi wants it; plain http only to a loopback address (a test's or a local proxy's). */
function serverOf(e: OAuthEndpoints, timeoutMs: number) {
  const token = new URL(e.tokenUrl);
  const as: oauth.AuthorizationServer = {
    issuer: token.origin,
    authorization_endpoint: e.authorizeUrl,
    token_endpoint: e.tokenUrl,
  };
  const client: oauth.Client = { client_id: e.clientId };
  const auth = e.clientSecret ? oauth.ClientSecretPost(e.clientSecret) : oauth.None();
  const insecure = token.protocol === 'http:' && LOOPBACK.test(token.hostname);
  // A signal of its own for each request (and the reading of its answer), made when the request starts.
  const signal = () => AbortSignal.timeout(timeoutMs);
  return { as, client, auth, options: insecure ? { [oauth.allowInsecureRequests]: true, signal } : { signal } };
}

/** A request given up after `timeoutMs` says so (fetch's own error names no time). */
function timedOut(error: unknown, timeoutMs: number): unknown {
  return error instanceof DOMException && error.name === 'TimeoutError'
    ? new Error(`the token endpoint did not answer within ${timeoutMs / 1000} s`, { cause: error })
    : error;
}

const tokensOf = (r: oauth.TokenEndpointResponse): OAuthTokens => ({
  accessToken: r.access_token,
  refreshToken: r.refresh_token ?? null,
  expiresIn: typeof r.expires_in === 'number' ? r.expires_in : null,
  scope: typeof r.scope === 'string' ? r.scope : null,
});

/**
 * Parley asks for no OpenID Connect scope and uses no ID token; some servers send one anyway (issued for another
 * issuer name than the token endpoint's origin). It is dropped before the answer is checked.
 */
async function withoutIdToken(response: Response): Promise<Response> {
  if (!response.ok) return response;
  const body: unknown = await response
    .clone()
    .json()
    .catch(() => null);
  if (!body || typeof body !== 'object' || !('id_token' in body)) return response;
  const rest: Record<string, unknown> = { ...(body as Record<string, unknown>) };
  delete rest.id_token;
  return new Response(JSON.stringify(rest), { status: response.status, headers: response.headers });
}

/** An OAuth2 error answer becomes OAuthRefused (its code and the server's sentence); anything else is rethrown. */
function refused(error: unknown): never {
  if (error instanceof oauth.ResponseBodyError || error instanceof oauth.AuthorizationResponseError)
    throw new OAuthRefused(error.error, error.error_description ?? null);
  if (error instanceof oauth.OperationProcessingError) throw new OAuthRefused('invalid_response', error.message);
  throw error;
}

/**
 * OAuth2 for mailboxes on oauth4webapi: the authorization-code flow with PKCE (S256) and refresh tokens. Each request
 * to the token endpoint is given up after `timeoutMs` (TOKEN_REQUEST_TIMEOUT_MS; a test may shorten it).
 */
export class Oauth4webapiClient implements OAuthClient {
  private readonly timeoutMs: number;

  constructor(options: { timeoutMs?: number } = {}) {
    this.timeoutMs = options.timeoutMs ?? TOKEN_REQUEST_TIMEOUT_MS;
  }

  async newAuthorization() {
    const verifier = oauth.generateRandomCodeVerifier();
    return {
      state: oauth.generateRandomState(),
      verifier,
      challenge: await oauth.calculatePKCECodeChallenge(verifier),
    };
  }

  authorizationUrl(
    e: OAuthEndpoints,
    a: { scopes: string; state: string; challenge: string; extra: Record<string, string> },
  ): string {
    const url = new URL(e.authorizeUrl);
    const params = {
      client_id: e.clientId,
      redirect_uri: e.redirectUri,
      response_type: 'code',
      scope: a.scopes,
      state: a.state,
      code_challenge: a.challenge,
      code_challenge_method: 'S256',
      ...a.extra,
    };
    for (const [k, v] of Object.entries(params)) url.searchParams.set(k, v);
    return url.href;
  }

  async exchangeCode(e: OAuthEndpoints, callback: URLSearchParams, state: string, verifier: string) {
    const { as, client, auth, options } = serverOf(e, this.timeoutMs);
    try {
      const params = oauth.validateAuthResponse(as, client, callback, state);
      const response = await oauth.authorizationCodeGrantRequest(
        as,
        client,
        auth,
        params,
        e.redirectUri,
        verifier,
        options,
      );
      return tokensOf(await oauth.processAuthorizationCodeResponse(as, client, await withoutIdToken(response)));
    } catch (error) {
      refused(timedOut(error, this.timeoutMs));
    }
  }

  async refresh(e: OAuthEndpoints, refreshToken: string) {
    const { as, client, auth, options } = serverOf(e, this.timeoutMs);
    try {
      const response = await oauth.refreshTokenGrantRequest(as, client, auth, refreshToken, options);
      return tokensOf(await oauth.processRefreshTokenResponse(as, client, await withoutIdToken(response)));
    } catch (error) {
      refused(timedOut(error, this.timeoutMs));
    }
  }
}
