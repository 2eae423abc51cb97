import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { OUTBOX_STATUSES, type OutboxStatus } from '../../../domain/notifications/outbox-entry.ts';
import { presentOutboxAttempt, presentOutboxEntry } from '../presenters.ts';
import { cursorQuery, errorResponses, idParams, outboxEntrySchema, pageOf } from '../schemas.ts';

/** The outbox, read-only (sending and retry: mail-routes.ts). Registered by adminRoutes, under its admin-only hook. */
export function outboxRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    const tags = ['admin'];

    // ---- outbox (read-only here; sending and retry come with the dispatcher)
    app.get<{ Querystring: { status?: OutboxStatus; cursor?: string; limit?: number } }>(
      '/admin/outbox',
      {
        schema: {
          tags,
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...cursorQuery, status: { type: 'string', enum: [...OUTBOX_STATUSES] } },
          },
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

    app.get<{ Params: { id: number } }>(
      '/admin/outbox/:id',
      {
        schema: {
          tags,
          params: idParams,
          response: {
            200: {
              type: 'object',
              properties: {
                ...outboxEntrySchema.properties,
                html: { type: 'string' },
                text: { type: 'string' },
                attempts: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      at: { type: 'string' },
                      result: { type: 'string' },
                      reply: { type: ['string', 'null'] },
                      code: { type: ['string', 'null'] },
                      params: { type: ['object', 'null'], additionalProperties: true },
                    },
                  },
                },
              },
            },
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
