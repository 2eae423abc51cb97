import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { OAuth2Server } from 'oauth2-mock-server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { SMTPServer } from 'smtp-server';
import type { Client } from './http.ts';

/**
 * A real OAuth2 authorization server on loopback (oauth2-mock-server): it issues JWT access tokens and refresh
 * tokens, granting the scopes asked for (`grantScope` grants those instead); `revoked` makes it refuse refreshes
 * (invalid_grant) and answer its introspection endpoint (RFC 7662, what Dovecot asks) `active: false`;
 * `connectTtl` and `refreshTtl` set the life of the access tokens of a connection and of a refresh. Introspection says a token is active when this server
 * issued it, it has not expired and the grant is not revoked, with `introspectUser` as its user.
 */
export async function startOAuthProvider() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = {
    issued: [] as string[],
    refreshRequests: 0,
    introspections: 0,
    revoked: false,
    connectTtl: 3600,
    /** The life of the access tokens of refreshes (seconds). */
    refreshTtl: 3600,
    grantScope: null as string | null,
    introspectUser: '',
  };
  // Each token its own (`jti`), as real servers make them: two issued in the same second are not the same string.
  server.service.on('beforeTokenSigning', (token: { payload: Record<string, unknown> }) => {
    token.payload.jti = randomUUID();
  });
  /** The scopes asked for at /authorize, by the code handed back. */
  const asked = new Map<string, string>();
  server.service.on('beforeAuthorizeRedirect', ({ url }: { url: URL }, req) => {
    const scope = (req as { query: Record<string, string> }).query.scope;
    const code = url.searchParams.get('code');
    if (code && scope) asked.set(code, scope);
  });
  server.service.on('beforeResponse', (response: { body: Record<string, unknown>; statusCode: number }, req) => {
    const body = (req as { body: Record<string, string> }).body;
    if (body.grant_type === 'refresh_token') {
      state.refreshRequests++;
      if (state.revoked) {
        response.statusCode = 400;
        response.body = { error: 'invalid_grant', error_description: 'AADSTS50173: the grant was revoked.' };
        return;
      }
      delete response.body.scope; // as most servers: the scope of the grant, unsaid
      response.body.expires_in = state.refreshTtl;
    } else if (body.grant_type === 'authorization_code') {
      response.body.expires_in = state.connectTtl;
      response.body.scope = state.grantScope ?? asked.get(body.code ?? '') ?? '';
    }
    for (const k of ['access_token', 'refresh_token', 'id_token'])
      if (typeof response.body[k] === 'string') state.issued.push(response.body[k] as string);
  });
  server.service.on('beforeIntrospect', (response: { body: Record<string, unknown> }, req) => {
    state.introspections++;
    const token = String((req as { body: Record<string, string> }).body.token ?? '');
    let live = false;
    if (!state.revoked && state.issued.includes(token)) {
      const payload = JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString() || '{}') as {
        exp?: number;
      };
      live = typeof payload.exp === 'number' && payload.exp * 1000 > Date.now();
    }
    response.body = live ? { active: true, username: state.introspectUser } : { active: false };
  });
  // Its introspection endpoint parses JSON bodies only; RFC 7662 clients (Dovecot) post a form. This front door on
  // loopback passes the form's token on as JSON and the server's answer back.
  const front = createServer((req, res) => {
    let body = '';
    req.on('data', (d: Buffer) => (body += d.toString()));
    req.on('end', () => {
      const token = new URLSearchParams(body).get('token') ?? '';
      fetch(`${issuer}/introspect`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ token }),
      }).then(
        async (answer) => {
          res.writeHead(answer.status, { 'content-type': 'application/json' });
          res.end(await answer.text());
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
  const introspectionUrl = `http://127.0.0.1:${(front.address() as AddressInfo).port}/introspect`;
  // The `iss` of its tokens (its own name for itself, which may differ from the address it is reached at).
  const tokenIssuer = server.issuer.url!;
  return {
    server,
    issuer,
    tokenIssuer,
    introspectionUrl,
    state,
    stop: async () => {
      await new Promise<void>((resolve) => front.close(() => resolve()));
      await server.stop();
    },
  };
}

/** Sets a mailbox's OAuth2 client to the provider and connects it as an administrator does (through the callback). */
export async function connectMailbox(admin: Client, id: number, issuer: string, login: string): Promise<void> {
  const set = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, {
    provider: 'custom',
    clientId: 'parley-test',
    clientSecret: 'client-secret-never-shown',
    authorizeUrl: `${issuer}/authorize`,
    tokenUrl: `${issuer}/token`,
    scopes: 'mail.send offline_access',
    login,
  });
  assert.equal(set.statusCode, 200, set.body);
  await reconnectMailbox(admin, id);
}

export async function reconnectMailbox(admin: Client, id: number): Promise<void> {
  const start = await admin.post(`/api/v1/admin/mailboxes/${id}/oauth/start`);
  assert.equal(start.statusCode, 200, start.body);
  const answer = await fetch(start.json().authorizationUrl, { redirect: 'manual' });
  const back = new URL(answer.headers.get('location')!);
  const done = await admin.get(`/api/v1/admin/mailboxes/oauth/callback${back.search}`);
  assert.equal(done.headers.location, `/admin/mailboxes?connected=${id}`);
}

/**
 * An SMTP server that takes mail only from a client signed in with SASL XOAUTH2 and an access token the provider
 * issued and that is still live (its signature checked against the provider's keys), and not in `refused` (a token
 * the server stopped taking early). `idleCloseMs`: it closes a connection idle that long (as servers do), so the next
 * mail signs in again.
 */
export async function startXoauth2Sink(
  provider: { issuer: string; tokenIssuer: string },
  options: { idleCloseMs?: number; echoTokenOnData?: boolean } = {},
) {
  const keys = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
  const issuer = provider.tokenIssuer;
  const received: ParsedMail[] = [];
  const logins: { user: string | undefined; accepted: boolean }[] = [];
  /** The token of each sign-in, in order. */
  const tokens: string[] = [];
  const refused = new Set<string>();
  const signedInWith = new Map<string, string>();
  const server = new SMTPServer({
    ...(options.idleCloseMs ? { socketTimeout: options.idleCloseMs } : {}),
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['XOAUTH2'],
    logger: false,
    onAuth(auth, session, callback) {
      const token = auth.accessToken ?? '';
      tokens.push(token);
      signedInWith.set(session.id, token);
      const check = refused.has(token) ? Promise.reject(new Error('refused')) : jwtVerify(token, keys, { issuer });
      check.then(
        () => {
          logins.push({ user: auth.username, accepted: true });
          callback(null, { user: auth.username });
        },
        () => {
          logins.push({ user: auth.username, accepted: false });
          callback(null, { data: { status: '401', schemes: 'bearer', scope: 'mail' } });
        },
      );
    },
    onData(stream, session, callback) {
      if (options.echoTokenOnData) {
        // A server that refuses the mail saying back the token the session signed in with.
        stream.resume().on('end', () => {
          const refusal = new Error(`5.7.1 not today, ${signedInWith.get(session.id)}`) as Error & {
            responseCode: number;
          };
          refusal.responseCode = 550;
          callback(refusal);
        });
        return;
      }
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    received,
    logins,
    tokens,
    refused,
    /** Connections open now (after `idleCloseMs` of quiet, none). */
    openConnections: () => (server as unknown as { connections: Set<unknown> }).connections.size,
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
