import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { MAX_TOKEN_DAYS, TOKEN_SCOPES } from '../../../domain/users/api-token.ts';
import { issueApiToken } from '../../../domain/users/issue-api-token.ts';
import { listApiTokens } from '../../../domain/users/list-api-tokens.ts';
import { revokeApiToken } from '../../../domain/users/revoke-api-token.ts';
import { Id, ItemsOf, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { errorResponses, idParams, noContent } from '../schemas.ts';
import { actorOf, requireRole, signedIn } from './authenticate-request.ts';
import { originOf } from './origin.ts';

/** A token as listed: never its value nor its digest. */
export const apiTokenSchema = Shape({
  id: Type.Integer(),
  userId: Type.Integer(),
  name: Type.String(),
  scope: StringEnum(TOKEN_SCOPES),
  createdAt: Type.String(),
  expiresAt: Nullable(Type.String()),
  lastUsedAt: Nullable(Type.String()),
});

const tokenList = ItemsOf(apiTokenSchema);

const newTokenBody = Type.Object(
  {
    name: Type.String({ maxLength: 120 }),
    scope: Type.Optional(
      StringEnum(TOKEN_SCOPES, { description: 'read: GET and HEAD only; full (default): everything you may do' }),
    ),
    expiresInDays: Type.Optional(
      Nullable(Type.Integer({ minimum: 1, maximum: MAX_TOKEN_DAYS }), {
        description: 'Omitted or null: until revoked',
      }),
    ),
  },
  { additionalProperties: false },
);

/**
 * API tokens: each person lists, creates and revokes their own (`/me/tokens`); administrators list and revoke
 * anyone's (`/admin/users/{id}/tokens`). The token's value is in the creation answer only.
 */
export function tokenRoutes(deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/me/tokens',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Your API tokens (never their values)',
          response: { 200: tokenList, ...errorResponses },
        },
      },
      async (request) => ({
        items: await listApiTokens(deps, actorOf(request).id),
      }),
    );

    app.post(
      '/me/tokens',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Create an API token; its value is shown in this answer only',
          body: newTokenBody,
          response: {
            201: Shape({ ...apiTokenSchema.properties, token: Type.String() }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { token, apiToken } = await issueApiToken(deps, originOf(request), actorOf(request).id, request.body);
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ ...apiToken, token });
      },
    );

    app.delete(
      '/me/tokens/:id',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Revoke one of your API tokens',
          params: idParams,
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiToken(deps, originOf(request), actorOf(request).id, request.params.id);
        return reply.code(204).send();
      },
    );

    const admin = requireRole('admin');
    app.get(
      '/admin/users/:id/tokens',
      {
        onRequest: admin,
        schema: {
          tags: ['admin'],
          summary: "A user's API tokens (never their values)",
          params: idParams,
          response: { 200: tokenList, ...errorResponses },
        },
      },
      async (request) => ({ items: await listApiTokens(deps, request.params.id) }),
    );

    app.delete(
      '/admin/users/:id/tokens/:tokenId',
      {
        onRequest: admin,
        schema: {
          tags: ['admin'],
          summary: "Revoke a user's API token",
          params: Type.Object({ id: Id(), tokenId: Id() }),
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiToken(deps, originOf(request), request.params.id, request.params.tokenId);
        return reply.code(204).send();
      },
    );
  };
}
