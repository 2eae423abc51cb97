import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { LOCALES } from '../../../domain/locale.ts';
import { createUser } from '../../../domain/users/create-user.ts';
import { editUser } from '../../../domain/users/edit-user.ts';
import { MAX_PASSWORD_LENGTH, ROLES } from '../../../domain/users/user.ts';
import { actorOf } from '../auth/authenticate-request.ts';
import { originOf } from '../auth/origin.ts';
import { Id, Nullable, StringEnum } from '../schema-kit.ts';
import { cursorQuery, errorResponses, idParams, pageOf, userSchema } from '../schemas.ts';

const groupIds = Type.Array(Id(), { maxItems: 100 });

const newUserBody = Type.Object(
  {
    role: StringEnum(ROLES),
    email: Type.String({ maxLength: 254 }),
    name: Type.String({ maxLength: 120 }),
    password: Type.Optional(Nullable(Type.String({ maxLength: MAX_PASSWORD_LENGTH }))),
    locale: Type.Optional(Nullable(StringEnum(LOCALES))),
    timeZone: Type.Optional(Nullable(Type.String({ maxLength: 64 }))),
    groupIds: Type.Optional(groupIds),
  },
  { additionalProperties: false },
);

const userEditBody = Type.Object(
  {
    name: Type.Optional(Type.String({ maxLength: 120 })),
    role: Type.Optional(StringEnum(ROLES)),
    locale: Type.Optional(StringEnum(LOCALES)),
    timeZone: Type.Optional(Type.String({ maxLength: 64 })),
    active: Type.Optional(Type.Boolean()),
    groupIds: Type.Optional(groupIds),
    password: Type.Optional(Type.String({ maxLength: MAX_PASSWORD_LENGTH })),
    keepTokens: Type.Optional(
      Type.Boolean({ description: "With a new password: keep the user's API tokens (by default they are revoked)" }),
    ),
  },
  { additionalProperties: false },
);

/** Users: list, create, edit (deactivate, reset a password). Registered by adminRoutes, under its admin-only hook. */
export function userRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    // ---- users and groups
    app.get(
      '/admin/users',
      {
        schema: {
          tags,
          querystring: Type.Object(cursorQuery, { additionalProperties: false }),
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

    app.post(
      '/admin/users',
      {
        schema: {
          tags,
          body: newUserBody,
          response: { 201: userSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createUser(deps, originOf(request), request.body)),
    );

    app.patch(
      '/admin/users/:id',
      {
        schema: {
          tags,
          summary:
            'Edit a user: name, role, language, time zone, active, groups, a new password (ends their sessions; deactivation also revokes their tokens)',
          params: idParams,
          body: userEditBody,
          response: { 200: userSchema, ...errorResponses },
        },
      },
      async (request) =>
        editUser(deps, originOf(request), actorOf(request), request.params.id, request.body, request.sessionToken),
    );
  };
}
