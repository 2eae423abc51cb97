import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { createWebhookEndpoint } from '../../../domain/webhooks/create-webhook-endpoint.ts';
import { deleteWebhookEndpoint } from '../../../domain/webhooks/delete-webhook-endpoint.ts';
import { resendWebhookDelivery } from '../../../domain/webhooks/resend-webhook-delivery.ts';
import { rotateWebhookSecret } from '../../../domain/webhooks/rotate-webhook-secret.ts';
import { webhookResultOf } from '../../../domain/webhooks/webhook-results.ts';
import { updateWebhookEndpoint } from '../../../domain/webhooks/update-webhook-endpoint.ts';
import {
  MAX_WEBHOOK_DESCRIPTION,
  MAX_WEBHOOK_URL,
  WEBHOOK_ATTEMPT_RESULTS,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_EVENTS,
  type WebhookDelivery,
} from '../../../domain/webhooks/webhook.ts';
import { originOf } from '../auth/origin.ts';
import { Id, ItemsOf, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { cursorQuery, errorResponses, idParams, noContent, pageOf } from '../schemas.ts';

const endpointSchema = Shape({
  id: Type.Integer(),
  url: Type.String(),
  description: Type.String(),
  events: Type.Array(StringEnum(WEBHOOK_EVENTS)),
  publicOnly: Type.Boolean(),
  active: Type.Boolean(),
  allowPrivate: Type.Boolean(),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const endpointFields = {
  url: Type.String({ minLength: 1, maxLength: MAX_WEBHOOK_URL }),
  description: Type.String({ maxLength: MAX_WEBHOOK_DESCRIPTION }),
  events: Type.Array(StringEnum(WEBHOOK_EVENTS), { minItems: 1, maxItems: WEBHOOK_EVENTS.length }),
  publicOnly: Type.Boolean(),
  active: Type.Boolean(),
  allowPrivate: Type.Boolean(),
};

const resultSchema = Shape({
  code: Type.String(),
  params: Type.Record(Type.String(), Type.Unknown()),
});

const deliverySchema = Shape({
  id: Type.Integer(),
  endpointId: Type.Integer(),
  eventId: Type.String(),
  event: StringEnum(WEBHOOK_EVENTS),
  ticketId: Nullable(Type.Integer()),
  status: StringEnum(WEBHOOK_DELIVERY_STATUSES),
  attemptCount: Type.Integer(),
  nextAttemptAt: Nullable(Type.String()),
  lastReply: Nullable(Type.String()),
  /** `lastReply` (and an attempt's `reply`) as a code the web words (`domain/webhooks/webhook-results.ts`). */
  lastReplyResult: Nullable(resultSchema),
  createdAt: Type.String(),
  deliveredAt: Nullable(Type.String()),
});

const deliveryDetailSchema = Shape({
  ...deliverySchema.properties,
  body: Type.String(),
  attempts: Type.Array(
    Shape({
      at: Type.String(),
      result: StringEnum(WEBHOOK_ATTEMPT_RESULTS),
      reply: Nullable(Type.String()),
      replyResult: Nullable(resultSchema),
      httpStatus: Nullable(Type.Integer()),
      durationMs: Nullable(Type.Integer()),
    }),
  ),
});

/** The secret, shown this once (creation, replacement); never again. */
const secretSchema = Shape({ secret: Type.String() });

function presentDelivery(d: WebhookDelivery) {
  const { body: _body, attemptsSince: _since, ...shown } = d;
  return { ...shown, lastReplyResult: d.lastReply === null ? null : webhookResultOf(d.lastReply) };
}

/** Webhook endpoints and their deliveries. Registered by adminRoutes, under its admin-only hook. */
export function webhookRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    const tags = ['admin'];

    app.get(
      '/admin/webhooks',
      { schema: { tags, response: { 200: ItemsOf(endpointSchema), ...errorResponses } } },
      async () => ({ items: await deps.storage.webhooks.listWebhookEndpoints() }),
    );

    app.post(
      '/admin/webhooks',
      {
        schema: {
          tags,
          summary: 'Register an endpoint; its signing secret is in this answer only',
          body: Type.Object(endpointFields, { additionalProperties: false }),
          response: { 201: Shape({ endpoint: endpointSchema, secret: Type.String() }), ...errorResponses },
        },
      },
      async (request, reply) =>
        reply.code(201).send(await createWebhookEndpoint(deps, originOf(request), request.body)),
    );

    app.patch(
      '/admin/webhooks/:id',
      {
        schema: {
          tags,
          params: idParams,
          body: Type.Partial(Type.Object(endpointFields, { additionalProperties: false })),
          response: { 200: endpointSchema, ...errorResponses },
        },
      },
      async (request) => updateWebhookEndpoint(deps, originOf(request), request.params.id, request.body),
    );

    app.delete(
      '/admin/webhooks/:id',
      { schema: { tags, params: idParams, response: { 204: noContent, ...errorResponses } } },
      async (request, reply) => {
        await deleteWebhookEndpoint(deps, originOf(request), request.params.id);
        return reply.code(204).send();
      },
    );

    app.post(
      '/admin/webhooks/:id/secret',
      {
        schema: {
          tags,
          summary: "Replace an endpoint's signing secret; the new one is in this answer only",
          params: idParams,
          response: { 200: secretSchema, ...errorResponses },
        },
      },
      async (request) => rotateWebhookSecret(deps, originOf(request), request.params.id),
    );

    app.get(
      '/admin/webhook-deliveries',
      {
        schema: {
          tags,
          querystring: Type.Object(
            {
              ...cursorQuery,
              endpointId: Type.Optional(Id()),
              status: Type.Optional(StringEnum(WEBHOOK_DELIVERY_STATUSES)),
            },
            { additionalProperties: false },
          ),
          response: { 200: pageOf(deliverySchema), ...errorResponses },
        },
      },
      async (request) => {
        const { endpointId, status, cursor, limit } = request.query;
        const page = await deps.storage.webhooks.listWebhookDeliveries(
          { ...(endpointId === undefined ? {} : { endpointId }), ...(status ? { status } : {}) },
          { cursor: cursor ?? null, limit: limit ?? 50 },
        );
        return { items: page.items.map(presentDelivery), nextCursor: page.nextCursor };
      },
    );

    app.get(
      '/admin/webhook-deliveries/:id',
      { schema: { tags, params: idParams, response: { 200: deliveryDetailSchema, ...errorResponses } } },
      async (request) => {
        const d = await deps.storage.webhooks.findWebhookDelivery(request.params.id);
        if (!d)
          throw new DomainError('WEBHOOK_DELIVERY_NOT_FOUND', `There is no webhook delivery ${request.params.id}.`);
        return {
          ...presentDelivery(d),
          body: d.body,
          attempts: d.attempts.map((a) => ({ ...a, replyResult: a.reply === null ? null : webhookResultOf(a.reply) })),
        };
      },
    );

    app.post(
      '/admin/webhook-deliveries/:id/resend',
      {
        schema: {
          tags,
          summary: 'Send a delivery again now, with the same event id',
          params: idParams,
          response: { 200: deliverySchema, ...errorResponses },
        },
      },
      async (request) => presentDelivery(await resendWebhookDelivery(deps, originOf(request), request.params.id)),
    );
  };
}
