import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { LOCALES } from '../../../domain/locale.ts';
import { createUser } from '../../../domain/users/create-user.ts';
import { editUser } from '../../../domain/users/edit-user.ts';
import { eraseRequester } from '../../../domain/users/erase-requester.ts';
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

const eraseBody = Type.Object(
  {
    confirmEmail: Type.String({
      maxLength: 254,
      description: "The person's current email address, typed again: erasing cannot be undone.",
    }),
  },
  { additionalProperties: false },
);

const count = (description: string) => Type.Integer({ description });

const erasureSchema = Type.Object(
  {
    userId: Type.Integer(),
    erasedAt: Type.String(),
    pseudonym: Type.String({ description: 'The name the person now appears under.' }),
    messages: count('Messages whose text and files were removed; each stays in its thread, marked removed.'),
    attachments: count('Files removed, bytes and all.'),
    inboundMails: count('Mails they sent whose original, text and sender were removed.'),
    outboxEntries: count('Notifications to or about them whose address, subject and bodies were removed.'),
    outboxCancelled: count('Of those, the ones not sent yet, now cancelled.'),
    tickets: count('Tickets they asked for, whose title and description were replaced.'),
    sessionsEnded: Type.Integer(),
    tokensRevoked: Type.Integer(),
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

    app.post(
      '/admin/users/:id/erase',
      {
        schema: {
          tags,
          summary:
            "Erase a requester's personal data (GDPR art. 17, LGPD art. 18), irreversibly: name and address become a pseudonym, sign-in ends, their messages' text and files, their mail and the notifications to or about them are removed; staff are deactivated instead (409 USER_NOT_ERASABLE)",
          params: idParams,
          body: eraseBody,
          response: { 200: erasureSchema, ...errorResponses },
        },
      },
      async (request) => eraseRequester(deps, originOf(request), request.params.id, request.body),
    );
  };
}
