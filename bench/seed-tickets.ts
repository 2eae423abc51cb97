import type { Deps } from '../src/domain/deps.ts';
import { openTicket } from '../src/domain/tickets/open-ticket.ts';
import type { Ticket } from '../src/domain/tickets/ticket.ts';
import { createApiToken } from '../src/domain/users/create-api-token.ts';
import { loadActor } from '../src/domain/users/authentication.ts';
import { createUser } from '../src/domain/users/create-user.ts';
import type { Actor } from '../src/domain/users/user.ts';
import { TEST_PASSWORD, type World } from '../test/support/fixtures.ts';
import { CLI_ORIGIN } from '../src/domain/audit/audit-entry.ts';

/**
 * The benchmarks' load: `requesterCount` requesters (ten unless told) owning `count` tickets of group A, where
 * world.techA works, so a message from techA (with the returned API token) notifies exactly the ticket's requester.
 */
export async function seedTickets(
  deps: Deps,
  world: World,
  count: number,
  requesterCount = 10,
): Promise<{ requesters: Actor[]; tickets: Ticket[]; token: string }> {
  const requesters = [world.requesterA];
  for (let i = 1; i < requesterCount; i++) {
    const u = await createUser(deps, CLI_ORIGIN, {
      role: 'requester',
      email: `requester.${i}@example.test`,
      name: `Requester Number ${i}`,
      password: TEST_PASSWORD,
      locale: 'en-US',
      timeZone: 'Europe/Lisbon',
    });
    requesters.push((await loadActor(deps.storage, u.id))!);
  }
  const tickets = [world.ticketA];
  while (tickets.length < count) {
    const requester = requesters[tickets.length % requesters.length]!;
    tickets.push(
      await openTicket(deps, requester, {
        title: `Cannot reach the shared drive (case ${tickets.length})`,
        description: 'Since this morning the S: drive asks for my password and then says access is denied.',
        groupId: world.groupA,
        demandType: 'Incident',
        category: 'Network',
      }),
    );
  }
  const { token } = await createApiToken(deps, CLI_ORIGIN, world.techA.email, 'bench');
  return { requesters, tickets, token };
}
