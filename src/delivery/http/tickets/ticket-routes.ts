import type { FastifyInstance } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { ticketAttachments } from '../../../domain/messages/ticket-attachments.ts';
import { listTickets } from '../../../domain/tickets/list-tickets.ts';
import { openTicket, type OpenTicketInput } from '../../../domain/tickets/open-ticket.ts';
import { visibleTicket } from '../../../domain/tickets/ticket-access.ts';
import { MAX_COPIES, setTicketCopies, type CopyInput } from '../../../domain/tickets/set-ticket-copies.ts';
import { ticketCopies } from '../../../domain/tickets/ticket-copies.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../../domain/tickets/ticket-status.ts';
import { updateTicket, type UpdateTicketInput } from '../../../domain/tickets/update-ticket.ts';
import type { HttpMetrics } from '../ops/ops-routes.ts';
import { actorOf, requireRole, signedIn } from '../auth/authenticate-request.ts';
import { decodeUploads, UPLOAD_BODY_LIMIT, uploadsSchema, type UploadBody } from '../attachments/uploads.ts';
import { presentTicket } from '../presenters.ts';
import {
  copySchema,
  cursorQuery,
  errorResponses,
  numberParams,
  pageOf,
  ticketDetailSchema,
  ticketSchema,
} from '../schemas.ts';
import { directoryRoutes } from './directory-routes.ts';
import { messageRoutes } from './message-routes.ts';

const shortText = { type: ['string', 'null'], maxLength: 120 } as const;
const classification = {
  demandType: shortText,
  activity: shortText,
  relatedService: shortText,
  portfolio: shortText,
  category: shortText,
} as const;
const idOrNull = { type: ['integer', 'null'], minimum: 1, maximum: 2147483647 } as const;

/** Tickets: list, open (with files), read, copies, change; the directory and the thread in files of their own. */
export function ticketRoutes(deps: Deps, metrics: Pick<HttpMetrics, 'messagesPosted'>) {
  return async (app: FastifyInstance) => {
    await app.register(directoryRoutes(deps));
    await app.register(messageRoutes(deps, metrics));

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
  };
}
