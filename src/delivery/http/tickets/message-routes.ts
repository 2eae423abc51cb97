import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { listMessages } from '../../../domain/messages/list-messages.ts';
import { MAX_MESSAGE_LENGTH, type MessageSource } from '../../../domain/messages/message.ts';
import { postMessage } from '../../../domain/messages/post-message.ts';
import { messagingStatus } from '../../../domain/parameters/messaging-status.ts';
import { isStaff } from '../../../domain/users/user.ts';
import type { HttpMetrics } from '../ops/ops-routes.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { decodeUploads, UPLOAD_BODY_LIMIT, uploadsSchema, type UploadBody } from '../attachments/uploads.ts';
import { presentMessage } from '../presenters.ts';
import { errorResponses, notificationSchema, numberParams, threadMessageSchema } from '../schemas.ts';

/** Where a message was written, from how the caller signed in. */
function sourceOf(request: FastifyRequest): MessageSource {
  if (!request.sessionToken) return 'api';
  return isStaff(actorOf(request)) ? 'desk' : 'portal';
}

/** A ticket's thread: read it, post to it (its notification mails queued with it), and whether messaging is available. */
export function messageRoutes(deps: Deps, metrics: Pick<HttpMetrics, 'messagesPosted'>) {
  return async (app: FastifyInstance) => {
    app.get<{ Params: { number: number } }>(
      '/tickets/:number/messages',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary: 'The thread, oldest first (requesters never see internal notes)',
          params: numberParams,
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: threadMessageSchema } } },
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: (await listMessages(deps, actorOf(request), request.params.number)).map((m) =>
          presentMessage(m, actorOf(request)),
        ),
      }),
    );

    app.post<{
      Params: { number: number };
      Body: {
        text: string;
        internal?: boolean;
        sendEmail?: boolean;
        timeSpentMinutes?: number | null;
        timeSpentDate?: string | null;
        attachments?: UploadBody[];
      };
    }>(
      '/tickets/:number/messages',
      {
        onRequest: signedIn,
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          tags: ['messages'],
          summary: 'Post a message; its notification mails are queued in the same transaction',
          params: numberParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['text'],
            properties: {
              text: { type: 'string', maxLength: MAX_MESSAGE_LENGTH },
              internal: { type: 'boolean' },
              sendEmail: { type: 'boolean' },
              timeSpentMinutes: { type: ['integer', 'null'], minimum: 0, maximum: 44640 },
              timeSpentDate: { type: ['string', 'null'], maxLength: 10 },
              attachments: uploadsSchema,
            },
          },
          response: {
            201: {
              type: 'object',
              properties: { message: threadMessageSchema, notifications: { type: 'array', items: notificationSchema } },
            },
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
          attachments: decodeUploads(attachments),
        });
        metrics.messagesPosted.inc({ source: result.message.source });
        return reply.code(201).send({
          message: presentMessage({ ...result.message, mail: [], attachments: result.attachments }, actorOf(request)),
          // Requesters learn who was told, by name; addresses of staff are not theirs to collect.
          notifications: result.notifications.map((n) =>
            isStaff(actorOf(request))
              ? { id: n.id, to: n.toAddress, status: n.status }
              : { id: n.id, to: n.toName, status: 'waiting' },
          ),
        });
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
            200: {
              type: 'object',
              properties: {
                available: { type: 'boolean' },
                reasons: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: { code: { type: 'string' }, message: { type: 'string' }, fix: { type: 'string' } },
                  },
                },
              },
            },
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
