import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { createGroup } from '../../../domain/users/create-group.ts';
import { deleteGroup } from '../../../domain/users/delete-group.ts';
import { editGroup } from '../../../domain/users/edit-group.ts';
import { errorResponses, groupSchema, idParams } from '../schemas.ts';

/** Groups (teams): list, create, rename and set members, delete. Registered by adminRoutes, under its admin-only hook. */
export function groupRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    const tags = ['admin'];

    // ---- groups
    app.get(
      '/admin/groups',
      {
        schema: {
          tags,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: groupSchema } } },
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: await deps.storage.people.listGroups(),
      }),
    );

    app.post<{ Body: { name: string; memberIds?: number[] } }>(
      '/admin/groups',
      {
        schema: {
          tags,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['name'],
            properties: {
              name: { type: 'string', maxLength: 120 },
              memberIds: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 201: groupSchema, ...errorResponses },
        },
      },
      async (request, reply) => reply.code(201).send(await createGroup(deps, request.body)),
    );

    app.patch<{ Params: { id: number }; Body: { name?: string; memberIds?: number[] } }>(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Rename a group and/or set its members',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            properties: {
              name: { type: 'string', maxLength: 120 },
              memberIds: { type: 'array', maxItems: 1000, items: { type: 'integer', minimum: 1, maximum: 2147483647 } },
            },
          },
          response: { 200: groupSchema, ...errorResponses },
        },
      },
      async (request) => editGroup(deps, request.params.id, request.body),
    );

    app.delete<{ Params: { id: number } }>(
      '/admin/groups/:id',
      {
        schema: {
          tags,
          summary: 'Delete a group no ticket belongs to',
          params: idParams,
          response: { 204: { type: 'null' }, ...errorResponses },
        },
      },
      async (request, reply) => {
        await deleteGroup(deps, request.params.id);
        return reply.code(204).send();
      },
    );
  };
}
