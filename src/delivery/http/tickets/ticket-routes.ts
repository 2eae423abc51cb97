import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { ticketAttachments } from '../../../domain/messages/ticket-attachments.ts';
import { listTickets } from '../../../domain/tickets/list-tickets.ts';
import { openTicket } from '../../../domain/tickets/open-ticket.ts';
import { SORT_DIRECTIONS, TICKET_SORTS } from '../../../domain/tickets/ticket-order.ts';
import { visibleTicket } from '../../../domain/tickets/ticket-access.ts';
import { MAX_COPIES, setTicketCopies } from '../../../domain/tickets/set-ticket-copies.ts';
import { ticketCopies } from '../../../domain/tickets/ticket-copies.ts';
import { TICKET_STATUSES } from '../../../domain/tickets/ticket-status.ts';
import { updateTicket } from '../../../domain/tickets/update-ticket.ts';
import type { HttpMetrics } from '../ops/ops-routes.ts';
import { actorOf, requireRole, signedIn } from '../auth/authenticate-request.ts';
import { decodeUploads, UPLOAD_BODY_LIMIT, uploadsSchema } from '../attachments/uploads.ts';
import { presentTicket } from '../presenters.ts';
import { Id, ItemsOf, Nullable, Shape, StringEnum } from '../schema-kit.ts';
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
import { presenceRoutes } from './presence-routes.ts';
import { messageRoutes } from './message-routes.ts';

const shortText = Type.Optional(Nullable(Type.String({ maxLength: 120 })));
const classification = {
  demandType: shortText,
  activity: shortText,
  relatedService: shortText,
  portfolio: shortText,
  category: shortText,
};
const idOrNull = Type.Optional(Nullable(Id()));
const title = Type.String({ maxLength: 200 });

const ticketQuery = Type.Object(
  {
    cursor: Type.Optional(Type.String({ maxLength: 1024 })),
    limit: cursorQuery.limit,
    status: Type.Optional(StringEnum(TICKET_STATUSES)),
    mine: Type.Optional(Type.Boolean()),
    unassigned: Type.Optional(Type.Boolean()),
    responsibleId: Type.Optional(
      Id({ description: 'Only the tickets this person is responsible for (`mine` takes precedence).' }),
    ),
    groupId: Type.Optional(Id()),
    unseen: Type.Optional(
      Type.Boolean({ description: 'Only tickets with activity the caller has not seen since last reading them.' }),
    ),
    search: Type.Optional(
      Type.String({
        maxLength: 200,
        description:
          "A ticket number, words of the title or of a message's text, or part of the requester's name or address.",
      }),
    ),
    sort: Type.Optional(StringEnum(TICKET_SORTS)),
    direction: Type.Optional(StringEnum(SORT_DIRECTIONS)),
  },
  { additionalProperties: false },
);

const listedTicketSchema = Shape({
  ...ticketSchema.properties,
  unseen: Type.Boolean({ description: 'Activity the caller has not seen since they last read the thread.' }),
});

const openTicketBody = Type.Object(
  {
    title,
    description: Type.String({ maxLength: 20000 }),
    requesterId: idOrNull,
    contactName: shortText,
    groupId: idOrNull,
    responsibleId: idOrNull,
    ...classification,
    attachments: Type.Optional(uploadsSchema),
  },
  { additionalProperties: false },
);

const copiesBody = Type.Object(
  {
    copies: Type.Array(
      Type.Object(
        { email: Type.String({ maxLength: 254 }), name: Type.Optional(Nullable(Type.String({ maxLength: 120 }))) },
        { additionalProperties: false },
      ),
      { maxItems: MAX_COPIES },
    ),
  },
  { additionalProperties: false },
);

const updateTicketBody = Type.Object(
  {
    title: Type.Optional(title),
    status: Type.Optional(StringEnum(TICKET_STATUSES)),
    groupId: idOrNull,
    responsibleId: idOrNull,
    ...classification,
  },
  { additionalProperties: false, minProperties: 1 },
);

/** Tickets: list, open (with files), read, copies, change; the directory and the thread in files of their own. */
export function ticketRoutes(deps: Deps, metrics: Pick<HttpMetrics, 'messagesPosted'>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    await app.register(directoryRoutes(deps));
    await app.register(messageRoutes(deps, metrics));
    await app.register(presenceRoutes(deps));

    app.get(
      '/tickets',
      {
        onRequest: signedIn,
        schema: {
          tags: ['tickets'],
          summary: 'Tickets the caller may see: searched, filtered, sorted (newest first by default), a page at a time',
          querystring: ticketQuery,
          response: { 200: pageOf(listedTicketSchema), ...errorResponses },
        },
      },
      async (request) => {
        const { cursor, limit, sort, direction, ...filter } = request.query;
        const order = { ...(sort ? { sort } : {}), ...(direction ? { direction } : {}) };
        const page = await listTickets(deps, actorOf(request), filter, { cursor: cursor ?? null, limit, order });
        return {
          items: page.items.map((t) => ({ ...presentTicket(t, actorOf(request)), unseen: t.unseen })),
          nextCursor: page.nextCursor,
        };
      },
    );

    app.post(
      '/tickets',
      {
        onRequest: signedIn,
        bodyLimit: UPLOAD_BODY_LIMIT,
        schema: {
          tags: ['tickets'],
          summary: 'Open a ticket (requesters for themselves; staff for anyone)',
          body: openTicketBody,
          response: { 201: ticketSchema, ...errorResponses },
        },
      },
      async (request, reply) => {
        const { attachments, ...input } = request.body;
        const ticket = await openTicket(deps, actorOf(request), input, decodeUploads(attachments));
        return reply.code(201).send(presentTicket(ticket, actorOf(request)));
      },
    );

    app.get(
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

    app.put(
      '/tickets/:number/copies',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary:
            'Set who the ticket copies (Cc); an address that is no user yet becomes a requester without a password',
          params: numberParams,
          body: copiesBody,
          response: {
            200: ItemsOf(copySchema),
            ...errorResponses,
          },
        },
      },
      async (request) => ({
        items: await setTicketCopies(deps, actorOf(request), request.params.number, request.body.copies),
      }),
    );

    app.patch(
      '/tickets/:number',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary: 'Take, assign, move or reclassify a ticket',
          params: numberParams,
          body: updateTicketBody,
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
