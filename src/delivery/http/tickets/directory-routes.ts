import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { requireRole, signedIn } from '../auth/authenticate-request.ts';
import { ItemsOf, List, Shape } from '../schema-kit.ts';
import { errorResponses } from '../schemas.ts';

const staffSchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  role: Type.String(),
  groupIds: List(Type.Integer()),
});

/** Who and where a ticket can go: teams for everyone signed in, the staff for staff (names only). */
export function directoryRoutes(deps: Deps) {
  return async (fastify: FastifyInstance) => {
    const app = fastify.withTypeProvider<TypeBoxTypeProvider>();
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
            200: ItemsOf(Shape({ id: Type.Integer(), name: Type.String() })),
            ...errorResponses,
          },
        },
      },
      async () => ({ items: (await deps.storage.people.listGroups()).map((g) => ({ id: g.id, name: g.name })) }),
    );
    app.get(
      '/staff',
      {
        onRequest: requireRole('technician', 'admin'),
        schema: {
          tags: ['tickets'],
          summary: 'Active technicians and administrators: who a ticket can be assigned to',
          response: {
            200: ItemsOf(staffSchema),
            ...errorResponses,
          },
        },
      },
      async () => ({
        items: (await deps.storage.people.listStaff()).map((u) => ({
          id: u.id,
          name: u.name,
          role: u.role,
          groupIds: u.groupIds,
        })),
      }),
    );
  };
}
