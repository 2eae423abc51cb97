import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { LOCALES } from '../../../domain/locale.ts';
import { createUser } from '../../../domain/users/create-user.ts';
import { editUser, type UserEdit } from '../../../domain/users/edit-user.ts';
import type { NewUserInput } from '../../../domain/users/user.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { cursorQuery, errorResponses, idParams, pageOf, userSchema } from '../schemas.ts';

/** Users: list, create, edit (deactivate, reset a password). Registered by adminRoutes, under its admin-only hook. */
export function userRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    const tags = ['admin'];

    // ---- users and groups
    app.get<{ Querystring: { cursor?: string; limit?: number } }>(
      '/admin/users',
      {
        schema: {
          tags,
          querystring: { type: 'object', additionalProperties: false, properties: cursorQuery },
          response: { 200: pageOf(userSchema), ...errorResponses },
        },
      },
      async (request) => {
        const page = await deps.storage.people.listUsers({
          cursor: request.query.cursor ?? null,
          limit: request.query.limit ?? 50,
        });
        const groups = await deps.storage.people.groupIdsOfUsers(page.items.map((u) => u.id));
        return { ...page, items: page.items.map((u) => ({ ...u, groupIds: groups.get(u.id) ?? [] })) };
      },
    );

    app.post<{ Body: NewUserInput }>(
      '/admin/users',
      {
        schema: {
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['role', 'email', 'name'],
            properties: {
              role: { type: 'string', enum: ['requester', 'technician', 'admin'] },
              email: { type: 'string', maxLength: 254 },
              name: { type: 'string', maxLength: 120 },
              password: { type: ['string', 'null'], maxLength: 200 },
              locale: { type: ['string', 'null'], enum: [...LOCALES, null] },
              timeZone: { type: ['string', 'null'], maxLength: 64 },
              groupIds: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 201: userSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createUser(deps, request.body)),
    );

    app.patch<{ Params: { id: number }; Body: UserEdit }>(
      '/admin/users/:id',
      {
        schema: {
          tags,
          summary:
            'Edit a user: name, role, language, time zone, active, groups, a new password (ends their sessions; deactivation also revokes their tokens)',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 120 },
              role: { type: 'string', enum: ['requester', 'technician', 'admin'] },
              locale: { type: 'string', enum: [...LOCALES] },
              timeZone: { type: 'string', maxLength: 64 },
              active: { type: 'boolean' },
              groupIds: { type: 'array', maxItems: 100, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
              password: { type: 'string', maxLength: 200 },
              keepTokens: {
                type: 'boolean',
                description: "With a new password: keep the user's API tokens (by default they are revoked)",
              },
            },
          },
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (request) => editUser(deps, actorOf(request), request.params.id, request.body, request.sessionToken),
    );
  };
}
