import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import {
  finishMailboxConnect,
  redirectUri,
  startMailboxConnect,
} from '../../../domain/mailboxes/oauth/connect-mailbox.ts';
import { OAUTH_PROVIDERS, OAUTH_STATES } from '../../../domain/mailboxes/oauth/mailbox-oauth.ts';
import { getMailboxOAuth, saveMailboxOAuth } from '../../../domain/mailboxes/oauth/save-mailbox-oauth.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams } from '../schemas.ts';

const oauthSchema = Shape({
  mailboxId: Type.Integer(),
  provider: StringEnum(OAUTH_PROVIDERS),
  clientId: Type.String(),
  clientSecretSet: Type.Boolean({ description: 'Whether a client secret is stored; it is never returned.' }),
  tenant: Nullable(Type.String(), { description: 'Microsoft 365: the directory (tenant) ID or domain.' }),
  authorizeUrl: Type.String(),
  tokenUrl: Type.String(),
  scopes: Type.String(),
  login: Type.String({ description: 'The account Parley signs in to SMTP and IMAP as (XOAUTH2).' }),
  state: StringEnum(OAUTH_STATES, {
    description: 'connected; reconnect_needed (the provider refused a refresh: see lastError); not_connected.',
  }),
  lastError: Nullable(Type.String(), { description: 'The provider’s reason when the grant stopped working.' }),
  accessExpiresAt: Nullable(Type.String()),
  updatedAt: Type.String(),
});

const oauthBody = Type.Object(
  {
    provider: StringEnum(OAUTH_PROVIDERS),
    clientId: Type.String({ maxLength: 500 }),
    clientSecret: Type.Optional(
      Nullable(
        Type.String({
          maxLength: 2000,
          description: 'Write-only. Omitted or null: keep the stored one; "": remove it (a public client).',
        }),
      ),
    ),
    tenant: Type.Optional(Nullable(Type.String({ maxLength: 100 }))),
    authorizeUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'custom only' }))),
    tokenUrl: Type.Optional(Nullable(Type.String({ maxLength: 2000, description: 'custom only' }))),
    scopes: Type.Optional(Nullable(Type.String({ maxLength: 1000, description: 'custom; a preset has its own' }))),
    login: Type.String({ maxLength: 320 }),
  },
  { additionalProperties: false },
);

/** Where the admin page is, to come back to after the provider. */
const ADMIN_PAGE = '/admin/mailboxes';

/**
 * A mailbox's OAuth2 (Microsoft 365, Google, any provider): its client, "Connect" (the authorization-code flow with
 * PKCE) and the provider's callback. Administrators only; no answer ever holds a token or the client secret.
 */
export function mailboxOAuthRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', requireRole('admin'));
    const tags = ['admin'];

    app.get(
      '/admin/mailboxes/:id/oauth',
      {
        schema: {
          tags,
          summary: "A mailbox's OAuth2 client and the state of its grant (null: not set)",
          params: idParams,
          response: { 200: Nullable(oauthSchema), ...errorResponses },
        },
      },
      async (request) => getMailboxOAuth(deps, request.params.id),
    );

    app.put(
      '/admin/mailboxes/:id/oauth',
      {
        schema: {
          tags,
          summary:
            "Set a mailbox's OAuth2 provider and client (a change of client, endpoints, scopes or account drops the grant)",
          params: idParams,
          body: oauthBody,
          response: { 200: oauthSchema, ...errorResponses },
        },
      },
      async (request) => saveMailboxOAuth(deps, originOf(request), request.params.id, request.body),
    );

    app.post(
      '/admin/mailboxes/:id/oauth/start',
      {
        schema: {
          tags,
          summary: 'Connect: the provider address to send the administrator to (state and PKCE kept here)',
          params: idParams,
          response: {
            200: Shape({ authorizationUrl: Type.String(), redirectUri: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        if (!(await deps.storage.mailboxes.findMailbox(request.params.id)))
          throw new DomainError('MAILBOX_NOT_FOUND', `There is no mailbox ${request.params.id}.`);
        const { authorizationUrl } = await startMailboxConnect(deps, actorOf(request).id, request.params.id);
        return { authorizationUrl, redirectUri: redirectUri(deps.site.publicUrl) };
      },
    );

    app.get(
      '/admin/mailboxes/oauth/callback',
      {
        schema: {
          tags,
          summary: "The provider's callback: back to the mailboxes page, connected or with the reason it failed",
          querystring: Type.Object(
            {
              code: Type.Optional(Type.String({ maxLength: 4000 })),
              state: Type.Optional(Type.String({ maxLength: 500 })),
              error: Type.Optional(Type.String({ maxLength: 200 })),
              error_description: Type.Optional(Type.String({ maxLength: 2000 })),
            },
            // Providers add their own (Google: scope, authuser, prompt; Microsoft: session_state).
            { additionalProperties: true },
          ),
          response: { 302: Type.Null(), ...errorResponses },
        },
      },
      async (request, reply) => {
        const query = new URLSearchParams(
          Object.entries(request.query as Record<string, unknown>).map(([k, v]) => [k, String(v)]),
        );
        try {
          const id = await finishMailboxConnect(deps, originOf(request), query);
          return reply.redirect(`${ADMIN_PAGE}?connected=${id}`, 302);
        } catch (error) {
          if (!(error instanceof DomainError)) throw error;
          request.log.warn({ oauth: error.message }, 'mailbox OAuth2 connection refused');
          // Which mailbox and what kind of problem, for a sign-in this administrator started (its state checked); the
          // provider's own words stay on the server (the grant's lastError), never in an address anyone could forge.
          const d = (error.details ?? {}) as { mailboxId?: number; problem?: string };
          const back = new URLSearchParams({ oauthError: error.code });
          if (d.mailboxId !== undefined) back.set('mailbox', String(d.mailboxId));
          if (d.problem) back.set('problem', d.problem);
          return reply.redirect(`${ADMIN_PAGE}?${back}`, 302);
        }
      },
    );
  };
}
