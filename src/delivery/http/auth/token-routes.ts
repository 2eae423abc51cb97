import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { MAX_TOKEN_DAYS, TOKEN_SCOPES, type ApiTokenInput } from '../../../domain/users/api-token.ts';
import { issueApiToken } from '../../../domain/users/issue-api-token.ts';
import { listApiTokens } from '../../../domain/users/list-api-tokens.ts';
import { revokeApiToken } from '../../../domain/users/revoke-api-token.ts';
import { errorResponses, idParams } from '../schemas.ts';
import { actorOf, requireRole, signedIn } from './authenticate-request.ts';

const id = { type: 'integer', minimum: 1, maximum: 2147483647 } as const;

/** A token as listed: never its value nor its digest. */
export const apiTokenSchema = {
  type: 'object',
  properties: {
    id: { type: 'integer' },
    userId: { type: 'integer' },
    name: { type: 'string' },
    scope: { type: 'string', enum: [...TOKEN_SCOPES] },
    createdAt: { type: 'string' },
    expiresAt: { type: ['string', 'null'] },
    lastUsedAt: { type: ['string', 'null'] },
  },
} as const;

const tokenList = { type: 'object', properties: { items: { type: 'array', items: apiTokenSchema } } } as const;

const newTokenBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', maxLength: 120 },
    scope: {
      type: 'string',
      enum: [...TOKEN_SCOPES],
      description: 'read: GET and HEAD only; full (default): everything you may do',
    },
    expiresInDays: {
      type: ['integer', 'null'],
      minimum: 1,
      maximum: MAX_TOKEN_DAYS,
      description: 'Omitted or null: until revoked',
    },
  },
} as const;

/**
 * API tokens: each person lists, creates and revokes their own (`/me/tokens`); administrators list and revoke
 * anyone's (`/admin/users/{id}/tokens`). The token's value is in the creation answer only.
 */
export function tokenRoutes(deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>) {
  return async (app: FastifyInstance) => {
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

    app.post<{ Body: ApiTokenInput }>(
      '/me/tokens',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Create an API token; its value is shown in this answer only',
          body: newTokenBody,
          response: {
            201: { type: 'object', properties: { ...apiTokenSchema.properties, token: { type: 'string' } } },
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { token, apiToken } = await issueApiToken(deps, actorOf(request).id, request.body);
        return reply
          .code(201)
          .header('cache-control', 'no-store')
          .send({ ...apiToken, token });
      },
    );

    app.delete<{ Params: { id: number } }>(
      '/me/tokens/:id',
      {
        onRequest: signedIn,
        schema: {
          tags: ['auth'],
          summary: 'Revoke one of your API tokens',
          params: idParams,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiToken(deps, actorOf(request).id, request.params.id);
        return reply.code(204).send();
      },
    );

    const admin = requireRole('admin');
    app.get<{ Params: { id: number } }>(
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

    app.delete<{ Params: { id: number; tokenId: number } }>(
      '/admin/users/:id/tokens/:tokenId',
      {
        onRequest: admin,
        schema: {
          tags: ['admin'],
          summary: "Revoke a user's API token",
          params: { type: 'object', properties: { id, tokenId: id }, required: ['id', 'tokenId'] },
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        await revokeApiToken(deps, request.params.id, request.params.tokenId);
        return reply.code(204).send();
      },
    );
  };
}
