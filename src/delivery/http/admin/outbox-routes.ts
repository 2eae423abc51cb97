import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { OUTBOX_STATUSES } from '../../../domain/notifications/outbox-entry.ts';
import { presentOutboxAttempt, presentOutboxEntry } from '../presenters.ts';
import { AnyObject, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { cursorQuery, errorResponses, idParams, outboxEntrySchema, pageOf } from '../schemas.ts';

const outboxDetailSchema = Shape({
  ...outboxEntrySchema.properties,
  html: Type.String(),
  text: Type.String(),
  attempts: Type.Array(
    Shape({
      at: Type.String(),
      result: Type.String(),
      reply: Nullable(Type.String()),
      code: Nullable(Type.String()),
      params: Nullable(AnyObject()),
    }),
  ),
});

/** The outbox, read-only (sending and retry: mail-routes.ts). Registered by adminRoutes, under its admin-only hook. */
export function outboxRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    // ---- outbox (read-only here; sending and retry come with the dispatcher)
    app.get(
      '/admin/outbox',
      {
        schema: {
          tags,
          querystring: Type.Object(
            { ...cursorQuery, status: Type.Optional(StringEnum(OUTBOX_STATUSES)) },
            { additionalProperties: false },
          ),
          response: { 200: pageOf(outboxEntrySchema), ...errorResponses },
        },
      },
      async (request) => {
        const page = await deps.storage.outbox.listOutbox(request.query.status, {
          cursor: request.query.cursor ?? null,
          limit: request.query.limit ?? 50,
        });
        return { items: page.items.map(presentOutboxEntry), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/admin/outbox/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: outboxDetailSchema,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const entry = await deps.storage.outbox.findOutboxEntry(request.params.id);
        if (!entry) throw new DomainError('OUTBOX_ENTRY_NOT_FOUND', `There is no outbox entry ${request.params.id}.`);
        return { ...presentOutboxEntry(entry), attempts: entry.attempts.map(presentOutboxAttempt) };
      },
    );
  };
}
