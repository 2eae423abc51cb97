import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { listMessages } from '../../../domain/messages/list-messages.ts';
import { MAX_MESSAGE_HTML_LENGTH, MAX_MESSAGE_LENGTH, type MessageSource } from '../../../domain/messages/message.ts';
import { postMessage } from '../../../domain/messages/post-message.ts';
import { resendToCorrectedAddress } from '../../../domain/notifications/resend-to-corrected-address.ts';
import { originOf } from '../auth/origin.ts';
import { listTicketEvents } from '../../../domain/tickets/list-ticket-events.ts';
import { messagingStatus } from '../../../domain/parameters/messaging-status.ts';
import { isStaff } from '../../../domain/users/user.ts';
import type { HttpMetrics } from '../ops/ops-routes.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { decodeUploads, UPLOAD_BODY_LIMIT, uploadsSchema } from '../attachments/uploads.ts';
import { mailLineOf, presentMessage } from '../presenters.ts';
import { Id, List, Nullable, Shape } from '../schema-kit.ts';
import {
  errorResponses,
  notificationMailSchema,
  notificationSchema,
  numberParams,
  threadEventSchema,
  threadMessageSchema,
} from '../schemas.ts';

const postMessageBody = Type.Object(
  {
    text: Type.Optional(
      Type.String({ maxLength: MAX_MESSAGE_LENGTH, description: 'The message as plain text; or give `html`.' }),
    ),
    html: Type.Optional(
      Type.String({
        maxLength: MAX_MESSAGE_HTML_LENGTH,
        description:
          `The message as HTML, instead of \`text\` (exactly one of the two; at most ${MAX_MESSAGE_HTML_LENGTH.toLocaleString('en-US')} characters). ` +
          'It is sanitized (kept: p, br, b, strong, i, em, u, s, ul, ol, li, blockquote, pre, code, h1-h3, a with an http, https or mailto href, img with a `cid:` src) and its text derived; ' +
          'an `<img src="cid:X">` needs an attachment with contentId X (422 MESSAGE_IMAGE_MISSING otherwise).',
      }),
    ),
    internal: Type.Optional(Type.Boolean()),
    sendEmail: Type.Optional(Type.Boolean()),
    timeSpentMinutes: Type.Optional(Nullable(Type.Integer({ minimum: 0, maximum: 44640 }))),
    timeSpentDate: Type.Optional(Nullable(Type.String({ maxLength: 10 }))),
    attachments: Type.Optional(uploadsSchema),
  },
  { additionalProperties: false },
);

const resendBody = Type.Object(
  { email: Type.String({ minLength: 1, maxLength: 254 }) },
  { additionalProperties: false },
);

const mailParams = Type.Object({ number: Id(), id: Id() });

const messagingStatusSchema = Shape({
  available: Type.Boolean(),
  reasons: List(Shape({ code: Type.String(), message: Type.String(), fix: Type.String() })),
});

/** Where a message was written, from how the caller signed in. */
function sourceOf(request: FastifyRequest): MessageSource {
  if (!request.sessionToken) return 'api';
  return isStaff(actorOf(request)) ? 'desk' : 'portal';
}

/** A ticket's thread: read it, post to it (its notification mails queued with it), and whether messaging is available. */
export function messageRoutes(deps: Deps, metrics: Pick<HttpMetrics, 'messagesPosted'>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.get(
      '/tickets/:number/messages',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary:
            "The thread, oldest first (requesters never see internal notes), and the changes of the ticket's life (requesters: status changes only), oldest first, to be shown between the messages by time",
          params: numberParams,
          response: {
            200: Shape({ items: List(threadMessageSchema), events: List(threadEventSchema) }),
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: (await listMessages(deps, actorOf(request), request.params.number)).map((m) =>
          presentMessage(m, actorOf(request)),
        ),
        events: await listTicketEvents(deps, actorOf(request), request.params.number),
      }),
    );

    app.post(
      '/tickets/:number/messages',
      {
        onRequest: signedIn,
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          tags: ['messages'],
          summary: 'Post a message; its notification mails are queued in the same transaction',
          description:
            "A message from the requester's side moves a waiting or resolved ticket back to work (parameters 9020, " +
            '9021); on a closed ticket it is refused with 409 TICKET_CLOSED (staff may still write).',
          params: numberParams,
          body: postMessageBody,
          response: {
            201: Shape({ message: threadMessageSchema, notifications: List(notificationSchema) }),
            ...errorResponses,
          },
        },
      },
      async (request, reply) => {
        const { attachments, ...input } = request.body;
        const result = await postMessage(deps, actorOf(request), {
          ticketNumber: request.params.number,
          source: sourceOf(request),
          ...input,
          text: input.text ?? null,
          html: input.html ?? null,
          attachments: decodeUploads(attachments),
        });
        metrics.messagesPosted.inc({ source: result.message.source });
        return reply.code(201).send({
          message: presentMessage({ ...result.message, mail: [], attachments: result.attachments }, actorOf(request)),
          // Requesters learn who was told, by name; addresses of staff are not theirs to collect.
          notifications: result.notifications.map((n) =>
            isStaff(actorOf(request))
              ? { id: n.id, to: n.toAddress, cc: n.cc.map((c) => c.address), status: n.status }
              : { id: n.id, to: n.toName, cc: n.cc.map((c) => c.name), status: 'waiting' },
          ),
        });
      },
    );

    app.post(
      '/tickets/:number/mails/:id/resend',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary: "Send a message's failed or bounced mail again to a corrected address",
          description:
            "Staff who can see the ticket: the person's address becomes the corrected one (audited) and a new mail, the " +
            'same subject, bodies and reply address with a new Message-ID, is queued naming the old one (resentFromId), ' +
            'which is kept as it was. 409 MAIL_NOT_RESENDABLE (not failed, or not a message mail to a person), ' +
            'MAIL_ALREADY_RESENT, USER_EMAIL_TAKEN; 422 USER_INVALID, MAIL_ADDRESS_UNCHANGED.',
          params: mailParams,
          body: resendBody,
          response: { 201: notificationMailSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const entry = await resendToCorrectedAddress(deps, originOf(request), actorOf(request), {
          ticketNumber: request.params.number,
          entryId: request.params.id,
          email: request.body.email,
        });
        return reply.code(201).send(mailLineOf(entry));
      },
    );

    app.get(
      '/messaging/status',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary: 'Whether messaging is available; administrators also get what to fix',
          response: {
            200: messagingStatusSchema,
            ...errorResponses,
          },
        },
      },
      async (request) => {
        const status = await messagingStatus(deps.storage);
        return { available: status.available, reasons: actorOf(request).role === 'admin' ? status.reasons : [] };
      },
    );
  };
}
