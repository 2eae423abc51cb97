import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { createGroup } from '../../../domain/users/create-group.ts';
import { deleteGroup } from '../../../domain/users/delete-group.ts';
import { editGroup } from '../../../domain/users/edit-group.ts';
import { setGroupSignature } from '../../../domain/signatures/set-group-signature.ts';
import { originOf } from '../auth/origin.ts';
import { COPIES_MODES } from '../../../domain/notifications/mailings.ts';
import { Id, ItemsOf, StringEnum } from '../schema-kit.ts';
import { errorResponses, groupSchema, idParams, noContent } from '../schemas.ts';
import { signatureBody } from '../signatures/signature-schemas.ts';

const groupFields = {
  name: Type.String({ maxLength: 120 }),
  memberIds: Type.Array(Id(), { maxItems: 1000 }),
  copiesMode: StringEnum(COPIES_MODES, {
    description:
      'How a public message reaches the people a ticket copies: `cc`, one mail to the requester with the copies in Cc (each sees who else is on the conversation; the default); `separate`, one mail each.',
  }),
};

/** Groups (teams): list, create, rename and set members, set the signature, delete. Registered by adminRoutes, under its admin-only hook. */
export function groupRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    // ---- groups
    app.get(
      '/admin/groups',
      {
        schema: {
          tags,
          response: {
            200: ItemsOf(groupSchema),
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: await deps.storage.people.listGroups(),
      }),
    );

    app.post(
      '/admin/groups',
      {
        schema: {
          tags,
          body: Type.Object(
            {
              name: groupFields.name,
              memberIds: Type.Optional(groupFields.memberIds),
              copiesMode: Type.Optional(groupFields.copiesMode),
            },
            { additionalProperties: false },
          ),
          response: { 201: groupSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createGroup(deps, originOf(request), request.body)),
    );

    app.patch(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Rename a group, set its members and/or how it sends copies',
          params: idParams,
          body: Type.Object(
            {
              name: Type.Optional(groupFields.name),
              memberIds: Type.Optional(groupFields.memberIds),
              copiesMode: Type.Optional(groupFields.copiesMode),
            },
            { additionalProperties: false },
          ),
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) => editGroup(deps, originOf(request), request.params.id, request.body),
    );

    app.put(
      '/admin/groups/:id/signature',
      {
        schema: {
          tags,
          summary:
            "Set a group's signature (null or blank removes it), used when a mail's author has none; its ${KEY}s are checked as a template's",
          params: idParams,
          body: signatureBody,
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) => setGroupSignature(deps, originOf(request), request.params.id, request.body),
    );

    app.delete(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete a group no ticket belongs to',
          params: idParams,
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteGroup(deps, originOf(request), request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
