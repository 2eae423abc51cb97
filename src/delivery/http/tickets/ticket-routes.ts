import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { listMessages } from '../../../domain/messages/list-messages.ts';
import { MAX_MESSAGE_LENGTH, type MessageSource } from '../../../domain/messages/message.ts';
import { postMessage } from '../../../domain/messages/post-message.ts';
import { ticketAttachments } from '../../../domain/messages/attachment-access.ts';
import { messagingStatus } from '../../../domain/parameters/messaging-status.ts';
import { listTickets } from '../../../domain/tickets/list-tickets.ts';
import { openTicket, type OpenTicketInput } from '../../../domain/tickets/open-ticket.ts';
import { visibleTicket } from '../../../domain/tickets/ticket-access.ts';
import { MAX_COPIES, setTicketCopies, ticketCopies, type CopyInput } from '../../../domain/tickets/ticket-copies.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../../domain/tickets/ticket-status.ts';
import { updateTicket, type UpdateTicketInput } from '../../../domain/tickets/update-ticket.ts';
import { isStaff } from '../../../domain/users/user.ts';
import type { HttpMetrics } from '../ops/ops-routes.ts';
import { actorOf, requireRole, signedIn } from '../auth/authenticate-request.ts';
import { decodeUploads, UPLOAD_BODY_LIMIT, uploadsSchema, type UploadBody } from '../attachments/uploads.ts';
import { presentMessage, presentTicket } from '../presenters.ts';
import {
  copySchema,
  cursorQuery,
  errorResponses,
  notificationSchema,
  numberParams,
  pageOf,
  threadMessageSchema,
  ticketDetailSchema,
  ticketSchema,
} from '../schemas.ts';

const shortText = { type: ['string', 'null'], maxLength: 120 } as const;
const classification = {
  demandType: shortText,
  activity: shortText,
  relatedService: shortText,
  portfolio: shortText,
  category: shortText,
} as const;
const idOrNull = { type: ['integer', 'null'], minimum: 1, maximum: 2147483647 } as const;

/** Where a message was written, from how the caller signed in. */
function sourceOf(request: FastifyRequest): MessageSource {
  if (!request.sessionToken) return 'api';
  return isStaff(actorOf(request)) ? 'desk' : 'portal';
}

export function ticketRoutes(deps: Deps, metrics: Pick<HttpMetrics, 'messagesPosted'>) {
  return async (app: FastifyInstance) => {
    // Who and where a ticket can go: group names for everyone signed in (a requester picks the team of a new
    // request), the staff for technicians and admins (assignment). Names only, never addresses.
    app.get(
      '/groups',
      {
        onRequest: signedIn,
        schema: {
          tags: ['tickets'],
          summary: 'Support groups (teams), by name',
          response: {
            200: {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: { type: 'object', properties: { id: { type: 'integer' }, name: { type: 'string' } } },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async () => ({ items: (await deps.storage.listGroups()).map((g) => ({ id: g.id, name: g.name })) }),
    );
    app.get(
      '/staff',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary: 'Active technicians and administrators: who a ticket can be assigned to',
          response: {
            200: {
              type: 'object',
              properties: {
                items: {
                  type: 'array',
                  items: {
                    type: 'object',
                    properties: {
                      id: { type: 'integer' },
                      name: { type: 'string' },
                      role: { type: 'string' },
                      groupIds: { type: 'array', items: { type: 'integer' } },
                    },
                  },
                },
              },
            },
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: (await deps.storage.listStaff()).map((u) => ({
          id: u.id,
          name: u.name,
          role: u.role,
          groupIds: u.groupIds,
        })),
      }),
    );

    app.get<{
      Querystring: {
        cursor?: string;
        limit?: number;
        status?: TicketStatus;
        mine?: boolean;
        unassigned?: boolean;
        groupId?: number;
      };
    }>(
      '/tickets',
      {
        onRequest: signedIn,
        schema: {
          tags: ['tickets'],
          summary: 'Tickets the caller may see, newest first',
          querystring: {
            type: 'object',
            additionalProperties: false,
            properties: {
              ...cursorQuery,
              status: { type: 'string', enum: [...TICKET_STATUSES] },
              mine: { type: 'boolean' },
              unassigned: { type: 'boolean' },
              groupId: { type: 'integer', minimum: 1, maximum: 2147483647 },
            },
          },
          response: { 200: pageOf(ticketSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, ...filter } = request.query;
        const page = await listTickets(deps, actorOf(request), filter, { cursor: cursor ?? null, limit });
        return { items: page.items.map((t) => presentTicket(t, actorOf(request))), nextCursor: page.nextCursor };
      },
    );

    app.post<{ Body: OpenTicketInput & { attachments?: UploadBody[] } }>(
      '/tickets',
      {
        onRequest: signedIn,
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          tags: ['tickets'],
          summary: 'Open a ticket (requesters for themselves; staff for anyone)',
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['title', 'description'],
            properties: {
              title: { type: 'string', maxLength: 200 },
              description: { type: 'string', maxLength: 20000 },
              requesterId: idOrNull,
              contactName: shortText,
              groupId: idOrNull,
              responsibleId: idOrNull,
              ...classification,
              attachments: uploadsSchema,
            },
          },
          response: { 201: ticketSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { attachments, ...input } = request.body;
        const ticket = await openTicket(deps, actorOf(request), input, decodeUploads(attachments));
        return reply.code(201).send(presentTicket(ticket, actorOf(request)));
      },
    );

    app.get<{ Params: { number: number } }>(
      '/tickets/:number',
      {
        onRequest: signedIn,
        schema: { tags: ['tickets'], params: numberParams, response: { 200: ticketDetailSchema, ...errorResponses } },
      },
      async (request) => {
        const actor = actorOf(request);
        const ticket = presentTicket(await visibleTicket(deps.storage, actor, request.params.number), actor);
        return {
          ...ticket,
          attachments: await ticketAttachments(deps, actor, request.params.number),
          copies: await ticketCopies(deps, actor, request.params.number),
        };
      },
    );

    app.put<{ Params: { number: number }; Body: { copies: CopyInput[] } }>(
      '/tickets/:number/copies',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary:
            'Set who the ticket copies (Cc); an address that is no user yet becomes a requester without a password',
          params: numberParams,
          body: {
            type: 'object',
            additionalProperties: false,
            required: ['copies'],
            properties: {
              copies: {
                type: 'array',
                maxItems: MAX_COPIES,
                items: {
                  type: 'object',
                  additionalProperties: false,
                  required: ['email'],
                  properties: {
                    email: { type: 'string', maxLength: 254 },
                    name: { type: ['string', 'null'], maxLength: 120 },
                  },
                },
              },
            },
          },
          response: {
            200: { type: 'object', properties: { items: { type: 'array', items: copySchema } } },
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: await setTicketCopies(deps, actorOf(request), request.params.number, request.body.copies),
      }),
    );

    app.patch<{ Params: { number: number }; Body: UpdateTicketInput }>(
      '/tickets/:number',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary: 'Take, assign, move or reclassify a ticket',
          params: numberParams,
          body: {
            type: 'object',
            additionalProperties: false,
            minProperties: 1,
            properties: {
              title: { type: 'string', maxLength: 200 },
              status: { type: 'string', enum: [...TICKET_STATUSES] },
              groupId: idOrNull,
              responsibleId: idOrNull,
              ...classification,
            },
          },
          response: { 200: ticketSchema, ...errorResponses },
        },
      },
      async (request) =>
        presentTicket(
          await updateTicket(deps, actorOf(request), request.params.number, request.body),
          actorOf(request),
        ),
    );

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
