import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { INBOUND_STATUSES, type InboundMail } from '../../../domain/inbound/inbound-mail.ts';
import { attachInboundMail } from '../../../domain/inbound/attach-inbound-mail.ts';
import { postAsCopy } from '../../../domain/inbound/post-as-copy.ts';
import { discardInboundMail } from '../../../domain/inbound/discard-inbound-mail.ts';
import { getInboundMail } from '../../../domain/inbound/get-inbound-mail.ts';
import { inboundMailRaw } from '../../../domain/inbound/inbound-mail-raw.ts';
import { listInboundMail } from '../../../domain/inbound/list-inbound-mail.ts';
import { actorOf, requireRole } from '../auth/authenticate-request.ts';
import { presentMessage } from '../presenters.ts';
import { Id, List, Nullable, Shape, StringEnum } from '../schema-kit.ts';
import { cursorQuery, errorResponses, idParams, messageSchema, notificationSchema, pageOf } from '../schemas.ts';

const nullableString = Nullable(Type.String());
const nullableInteger = Nullable(Type.Integer());

const inboundSummary = {
  id: Type.Integer(),
  receivedAt: Type.String(),
  status: StringEnum(INBOUND_STATUSES),
  reason: nullableString,
  reasonText: nullableString,
  from: Shape({ address: nullableString, name: nullableString }),
  envelopeFrom: nullableString,
  envelopeTo: List(Type.String()),
  subject: nullableString,
  messageIdHeader: nullableString,
  size: Type.Integer(),
  ticketNumber: Nullable(Type.Integer(), {
    description: 'The ticket it was posted to, or (held) the one it seemed to belong to.',
  }),
  messageId: nullableInteger,
  outboxId: Nullable(Type.Integer(), { description: 'A bounce: the notification it reported on.' }),
  duplicateOf: nullableInteger,
  resolvedById: nullableInteger,
  resolvedAt: nullableString,
  rawRemovedAt: Nullable(Type.String(), {
    description: 'When the original was removed after the retention period (PARLEY_INBOUND_KEEP_RAW_DAYS).',
  }),
};

const inboundListItem = Shape(inboundSummary);

const inboundDetail = Shape({
  ...inboundSummary,
  sha256: Type.String(),
  text: Nullable(Type.String(), { description: 'The reply text (quotes and signature removed): what is posted.' }),
  trimmed: Nullable(Type.String(), {
    description: 'What was removed from the reply (quoted history, signature).',
  }),
  attempts: Type.Integer(),
  updatedAt: Type.String(),
});

const attachBody = Type.Object(
  {
    ticketNumber: Id(),
    internal: Type.Optional(
      Type.Boolean({
        description: 'When posted as your message: an internal note (default) or a message to the requester.',
      }),
    ),
  },
  { additionalProperties: false },
);

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

  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.addHook('onRequest', requireRole('technician', 'admin'));
    const tags = ['inbound mail'];

    app.get(
      '/inbound-mail',
      {
        schema: {
          tags,
          summary: 'Inbound mails, newest first (status=held: the ones that need review)',
          querystring: Type.Object(
            { ...cursorQuery, status: Type.Optional(StringEnum(INBOUND_STATUSES)) },
            { additionalProperties: false },
          ),
          response: { 200: pageOf(inboundListItem), ...errorResponses },
        },
      },
      async (request) => {
        const page = await listInboundMail(deps, actorOf(request), request.query);
        return { items: page.items.map(present), nextCursor: page.nextCursor };
      },
    );

    app.get(
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

    // Typed by generics, not the type provider: the answer is the raw mail, which no response schema describes.
    fastify.get<{ Params: Static<typeof idParams> }>(
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

    app.post(
      '/inbound-mail/:id/attach',
      {
        schema: {
          tags,
          summary:
            'Attach a held mail to a ticket: as its sender’s message when the sender takes part in the ticket, else as your note quoting it',
          params: idParams,
          body: attachBody,
          response: {
            200: Shape({ mail: inboundDetail, message: messageSchema, notifications: List(notificationSchema) }),
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
          notifications: posted.notifications.map((n) => ({
            id: n.id,
            to: n.toAddress,
            cc: n.cc.map((c) => c.address),
            status: n.status,
          })),
        };
      },
    );

    app.post(
      '/inbound-mail/:id/post-as-sender',
      {
        schema: {
          tags,
          summary:
            'Post a held reply-all of a ticket’s copy (reason copy-unverified) as that person’s message, the reviewer deciding it is theirs',
          params: idParams,
          response: {
            200: Shape({ mail: inboundDetail, message: messageSchema, notifications: List(notificationSchema) }),
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const { mail, posted, heldTicketId } = await postAsCopy(deps, actorOf(request), request.params.id);
        await reviewChanged(request, heldTicketId);
        return {
          mail: present(mail),
          message: presentMessage(posted.message),
          notifications: posted.notifications.map((n) => ({
            id: n.id,
            to: n.toAddress,
            cc: n.cc.map((c) => c.address),
            status: n.status,
          })),
        };
      },
    );

    app.post(
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
