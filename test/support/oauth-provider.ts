import assert from 'node:assert/strict';
import type { AddressInfo } from 'node:net';
import { simpleParser, type ParsedMail } from 'mailparser';
import { OAuth2Server } from 'oauth2-mock-server';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { SMTPServer } from 'smtp-server';
import type { Client } from './http.ts';

/**
 * A real OAuth2 authorization server on loopback (oauth2-mock-server): it issues JWT access tokens and refresh
 * tokens; `revoked` makes it refuse refreshes (invalid_grant), `connectTtl` sets the life of the first access token.
 */
export async function startOAuthProvider() {
  const server = new OAuth2Server();
  await server.issuer.keys.generate('RS256');
  await server.start(0, '127.0.0.1');
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const state = { issued: [] as string[], refreshRequests: 0, revoked: false, connectTtl: 3600 };
  server.service.on('beforeResponse', (response: { body: Record<string, unknown>; statusCode: number }, req) => {
    const grant = (req as { body: Record<string, string> }).body.grant_type;
    if (grant === 'refresh_token') {
      state.refreshRequests++;
      if (state.revoked) {
        response.statusCode = 400;
        response.body = { error: 'invalid_grant', error_description: 'AADSTS50173: the grant was revoked.' };
        return;
      }
    } else if (grant === 'authorization_code') response.body.expires_in = state.connectTtl;
    for (const k of ['access_token', 'refresh_token', 'id_token'])
      if (typeof response.body[k] === 'string') state.issued.push(response.body[k] as string);
  });
  // The `iss` of its tokens (its own name for itself, which may differ from the address it is reached at).
  const tokenIssuer = server.issuer.url!;
  return { server, issuer, tokenIssuer, state, stop: () => server.stop() };
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
 * issued and that is still live (its signature checked against the provider's keys).
 */
export async function startXoauth2Sink(provider: { issuer: string; tokenIssuer: string }) {
  const keys = createRemoteJWKSet(new URL(`${provider.issuer}/jwks`));
  const issuer = provider.tokenIssuer;
  const received: ParsedMail[] = [];
  const logins: { user: string | undefined; accepted: boolean }[] = [];
  const server = new SMTPServer({
    disabledCommands: ['STARTTLS'],
    allowInsecureAuth: true,
    authMethods: ['XOAUTH2'],
    logger: false,
    onAuth(auth, _session, callback) {
      jwtVerify(auth.accessToken ?? '', keys, { issuer }).then(
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
    onData(stream, _session, callback) {
      simpleParser(stream).then((mail) => {
        received.push(mail);
        callback();
      }, callback);
    },
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.server.address() as AddressInfo).port;
  return { port, received, logins, close: () => new Promise<void>((r) => server.close(() => r())) };
}
