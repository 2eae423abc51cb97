import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { INBOUND_STATUSES, type InboundMail, type InboundStatus } from '../../../domain/inbound/inbound-mail.ts';
import { attachInboundMail } from '../../../domain/inbound/attach-inbound-mail.ts';
import { discardInboundMail } from '../../../domain/inbound/discard-inbound-mail.ts';
import { getInboundMail } from '../../../domain/inbound/get-inbound-mail.ts';
import { inboundMailRaw } from '../../../domain/inbound/inbound-mail-raw.ts';
import { listInboundMail } from '../../../domain/inbound/list-inbound-mail.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { presentMessage } from '../presenters.ts';
import { cursorQuery, errorResponses, idParams, messageSchema, notificationSchema, pageOf } from '../schemas.ts';

const nullableString = { type: ['string', 'null'] } as const;
const nullableInteger = { type: ['integer', 'null'] } as const;

const inboundSummary = {
  id: { type: 'integer' },
  receivedAt: { type: 'string' },
  status: { type: 'string', enum: [...INBOUND_STATUSES] },
  reason: nullableString,
  reasonText: nullableString,
  from: { type: 'object', properties: { address: nullableString, name: nullableString } },
  envelopeFrom: nullableString,
  envelopeTo: { type: 'array', items: { type: 'string' } },
  subject: nullableString,
  messageIdHeader: nullableString,
  size: { type: 'integer' },
  ticketNumber: {
    ...nullableInteger,
    description: 'The ticket it was posted to, or (held) the one it seemed to belong to.',
  },
  messageId: nullableInteger,
  outboxId: { ...nullableInteger, description: 'A bounce: the notification it reported on.' },
  duplicateOf: nullableInteger,
  resolvedById: nullableInteger,
  resolvedAt: nullableString,
  rawRemovedAt: {
    ...nullableString,
    description: 'When the original was removed after the retention period (PARLEY_INBOUND_KEEP_RAW_DAYS).',
  },
} as const;

const inboundListItem = { type: 'object', properties: inboundSummary } as const;

const inboundDetail = {
  type: 'object',
  properties: {
    ...inboundSummary,
    sha256: { type: 'string' },
    text: { ...nullableString, description: 'The reply text (quotes and signature removed): what is posted.' },
    trimmed: { ...nullableString, description: 'What was removed from the reply (quoted history, signature).' },
    attempts: { type: 'integer' },
    updatedAt: { type: 'string' },
  },
} as const;

function present(m: InboundMail) {
  return { ...m, from: { address: m.fromAddress, name: m.fromName }, ticketNumber: m.ticketId };
}

/**
 * Inbound mail under review (`/inbound-mail`): technicians and administrators, each mail only to those who may review
 * it (its ticket's staff; mail of no ticket: the support mailbox's team, parameter 9016; admins: all); any other id
 * answers 404 like an unknown one. The list shows held mail first of all
 * (`?status=held`), one call attaches a mail to a ticket or discards it, and the raw mail is downloadable as received.
 */
export function inboundRoutes(deps: Deps) {
  /**
   * The pages of the staff who may review the mail refresh their review count (the `inbound` live event). The decision is already committed, so a
   * signal that cannot be sent is logged, not answered as a failure: the pages also refresh every minute.
   */
  const reviewChanged = (request: FastifyRequest, ticketId: number | null) =>
    deps.storage
      .signalInbound(ticketId)
      .catch((error: unknown) => request.log.warn({ err: error }, 'the review signal could not be sent'));

  return async (app: FastifyInstance) => {
    app.addHook('onRequest', requireRole('technician', 'admin'));
    const tags = ['inbound mail'];

    app.get<{ Querystring: { status?: InboundStatus; cursor?: string; limit?: number } }>(
      '/inbound-mail',
      {
        schema: {
          tags,
          summary: 'Inbound mails, newest first (status=held: the ones that need review)',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: { ...cursorQuery, status: { type: 'string', enum: [...INBOUND_STATUSES] } },
          },
          response: { 200: pageOf(inboundListItem), ...errorResponses },
        },
      },
      async (request) => {
        const page = await listInboundMail(deps, actorOf(request), request.query);
        return { items: page.items.map(present), nextCursor: page.nextCursor };
      },
    );

    app.get<{ Params: { id: number } }>(
      '/inbound-mail/:id',
      {
        schema: {
          tags,
          summary: 'One inbound mail: its reply text, what was trimmed, why it was held',
          params: idParams,
          response: { 200: inboundDetail, ...errorResponses },
        },
      },
      async (request) => present(await getInboundMail(deps, actorOf(request), request.params.id)),
    );

    app.get<{ Params: { id: number } }>(
      '/inbound-mail/:id/raw',
      { schema: { tags, summary: 'The mail exactly as received (message/rfc822, as a download)', params: idParams } },
      async (request, reply) => {
        const raw = await inboundMailRaw(deps, actorOf(request), request.params.id);
        // A download, never rendered: the mail is someone else's content.
        return reply
          .type('message/rfc822')
          .header('content-disposition', `attachment; filename="inbound-${request.params.id}.eml"`)
          .send(Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength));
      },
    );

    app.post<{ Params: { id: number }; Body: { ticketNumber: number; internal?: boolean } }>(
      '/inbound-mail/:id/attach',
      {
        schema: {
          tags,
          summary:
            'Attach a held mail to a ticket: as its sender’s message when the sender takes part in the ticket, else as your note quoting it',
          params: idParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['ticketNumber'],
            properties: {
              ticketNumber: { type: 'integer', minimum: 1, maximum: 2147483647 },
              internal: {
                type: 'boolean',
                description: 'When posted as your message: an internal note (default) or a message to the requester.',
              },
            },
          },
          response: {
            200: {
              type: 'object',
              properties: {
                mail: inboundDetail,
                message: messageSchema,
                notifications: { type: 'array', items: notificationSchema },
              },
            },
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { mail, posted, heldTicketId } = await attachInboundMail(
          deps,
          actorOf(request),
          request.params.id,
          request.body,
        );
        await reviewChanged(request, heldTicketId);
        return {
          mail: present(mail),
          message: presentMessage(posted.message),
          notifications: posted.notifications.map((n) => ({ id: n.id, to: n.toAddress, status: n.status })),
        };
      },
    );

    app.post<{ Params: { id: number } }>(
      '/inbound-mail/:id/discard',
      {
        schema: {
          tags,
          summary: 'Discard a held mail (it stays stored, marked discarded)',
          params: idParams,
          response: { 200: inboundDetail, ...errorResponses },
        },
      },
      async (request) => {
        const mail = await discardInboundMail(deps, actorOf(request), request.params.id);
        await reviewChanged(request, mail.ticketId);
        return present(mail);
      },
    );
  };
}
