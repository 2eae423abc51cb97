import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { reportPresence } from '../../../domain/presence/report-presence.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { StringEnum } from '../schema-kit.ts';
import { errorResponses, noContent, numberParams } from '../schemas.ts';

export const PRESENCE_STATES = ['viewing', 'typing', 'left'] as const;

const presenceBody = Type.Object(
  {
    state: StringEnum(PRESENCE_STATES),
    /** The reporting page, chosen by it: one person may have the ticket open in several tabs. */
    tab: Type.String({ minLength: 1, maxLength: 40, pattern: '^[A-Za-z0-9_-]+$' }),
  },
  { additionalProperties: false },
);

/** Who has a ticket open: staff pages report it, `GET /events` pushes it (`event: presence`) to colleagues. */
export function presenceRoutes(deps: Pick<Deps, 'storage' | 'clock'>) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
    app.post(
      '/tickets/:number/presence',
      {
        onRequest: signedIn,
        schema: {
          tags: ['live'],
          summary: "Staff: this page has the ticket open, is writing on it, or left; colleagues' pages are told live",
          description:
            'Sent on opening, while writing (at most every 5 s), every 20 s while open, and on leaving; a report ' +
            'lapses after 45 s without a refresh. Nothing is stored. Requesters are answered 404 as for a ticket ' +
            'they cannot see.',
          params: numberParams,
          body: presenceBody,
          response: { 204: noContent, ...errorResponses },
        },
      },
      async (request, reply) => {
        await reportPresence(deps, actorOf(request), {
          ticketNumber: request.params.number,
          state: request.body.state,
          tab: request.body.tab,
        });
        return reply.code(204).send();
      },
    );
  };
}
