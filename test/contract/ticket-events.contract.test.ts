/**
 * The storage contract of a ticket's life (migration 014): recorded changes and the move of tickets without a team
 * into the default team, on every real database.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

const LATER = '2026-03-14T16:00:00.000Z';

for (const database of ALL_DATABASES) {
  describe(`storage contract, ticket events, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('records events in a transaction and lists them per ticket, oldest first, with their time', async () => {
      const req = await storage.people.createUser(newUser('events.req@example.test'), AT);
      const tech = await storage.people.createUser(newUser('events.tech@example.test', 'technician'), AT);
      const one = await storage.tickets.createTicket(newTicket(req.id), AT);
      const other = await storage.tickets.createTicket(newTicket(req.id), AT);
      await storage.transaction(async (tx) => {
        await tx.tickets.recordTicketEvents(
          [
            { ticketId: one.id, actorId: tech.id, kind: 'status', from: 'new', to: 'in_progress' },
            { ticketId: one.id, actorId: tech.id, kind: 'responsible', from: null, to: String(tech.id) },
            { ticketId: other.id, actorId: null, kind: 'copy_added', from: null, to: String(req.id) },
          ],
          AT,
        );
      });
      await storage.tickets.recordTicketEvents([], LATER);
      const events = await storage.tickets.ticketEvents(one.id);
      assert.deepEqual(
        events.map(({ id: _id, ...e }) => e),
        [
          { ticketId: one.id, actorId: tech.id, kind: 'status', from: 'new', to: 'in_progress', at: AT },
          { ticketId: one.id, actorId: tech.id, kind: 'responsible', from: null, to: String(tech.id), at: AT },
        ],
      );
      assert.ok(events[0]!.id < events[1]!.id);
      assert.deepEqual(
        (await storage.tickets.ticketEvents(other.id)).map((e) => [e.kind, e.actorId, e.to]),
        [['copy_added', null, String(req.id)]],
      );
    });

    it('moves a status only from the status it was checked against', async () => {
      const req = await storage.people.createUser(newUser('move.req@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(req.id), AT);
      await storage.tickets.updateTicket(ticket.id, { status: 'waiting' }, AT);
      assert.equal(await storage.tickets.moveTicketStatus(ticket.id, 'waiting', 'in_progress', LATER), true);
      // A second message checked against "waiting" moves nothing: the first one already did.
      assert.equal(await storage.tickets.moveTicketStatus(ticket.id, 'waiting', 'in_progress', LATER), false);
      await storage.tickets.updateTicket(ticket.id, { status: 'closed' }, LATER);
      assert.equal(await storage.tickets.moveTicketStatus(ticket.id, 'in_progress', 'new', LATER), false);
      const after = (await storage.tickets.findTicketByNumber(ticket.number))!;
      assert.equal(after.status, 'closed');
    });

    it('moves any number of tickets without a team, in chunks', async () => {
      const req = await storage.people.createUser(newUser('chunks.req@example.test'), AT);
      const group = await storage.people.createGroup('Chunks');
      const ids: number[] = [];
      for (let i = 0; i < 2_100; i++) ids.push((await storage.tickets.createTicket(newTicket(req.id), AT)).id);
      const moved = await storage.transaction((tx) => tx.tickets.moveTeamlessTickets(group.id, null, LATER));
      for (const id of ids) assert.ok(moved.includes(id));
      assert.equal(new Set(moved).size, moved.length);
      // Every ticket without a team (this test's, and any an earlier test left) is in the group now.
      assert.equal(await storage.tickets.countTicketsOfGroup(group.id), moved.length);
      assert.ok(moved.length >= ids.length);
    });

    it('a rolled-back change leaves no event', async () => {
      const req = await storage.people.createUser(newUser('rollback.req@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(req.id), AT);
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.tickets.updateTicket(ticket.id, { status: 'waiting' }, LATER);
          await tx.tickets.recordTicketEvents(
            [{ ticketId: ticket.id, actorId: req.id, kind: 'status', from: 'new', to: 'waiting' }],
            LATER,
          );
          throw new Error('refused');
        }),
        /refused/,
      );
      assert.deepEqual(await storage.tickets.ticketEvents(ticket.id), []);
      assert.equal((await storage.tickets.findTicketByNumber(ticket.number))?.status, 'new');
    });

    it('moves every ticket without a team into a team, recording a team event for each, and no other', async () => {
      const req = await storage.people.createUser(newUser('teamless.req@example.test'), AT);
      const admin = await storage.people.createUser(newUser('teamless.admin@example.test', 'admin'), AT);
      const team = await storage.people.createGroup('Default team');
      const elsewhere = await storage.people.createGroup('Elsewhere');
      const placed = await storage.tickets.createTicket(newTicket(req.id, { groupId: elsewhere.id }), AT);
      const before = (await storage.tickets.listTickets({ kind: 'all' }, {}, { limit: 1000 })).items
        .filter((t) => t.groupId === null)
        .map((t) => t.id);
      assert.ok(before.length > 0);
      const moved = await storage.transaction((tx) => tx.tickets.moveTeamlessTickets(team.id, admin.id, LATER));
      assert.deepEqual(
        [...moved].sort((a, b) => a - b),
        [...before].sort((a, b) => a - b),
      );
      const all = (await storage.tickets.listTickets({ kind: 'all' }, {}, { limit: 1000 })).items;
      assert.ok(all.every((t) => t.groupId !== null));
      assert.equal(all.find((t) => t.id === placed.id)?.groupId, elsewhere.id);
      for (const id of moved) {
        assert.deepEqual(
          (await storage.tickets.ticketEvents(id))
            .filter((e) => e.kind === 'team')
            .map((e) => [e.actorId, e.from, e.to, e.at]),
          [[admin.id, null, String(team.id), LATER]],
        );
      }
      assert.deepEqual(await storage.tickets.ticketEvents(placed.id), []);
      assert.deepEqual(await storage.tickets.moveTeamlessTickets(team.id, admin.id, LATER), []);
    });
  });
}
