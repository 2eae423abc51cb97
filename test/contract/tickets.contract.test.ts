/**
 * The storage contract of tickets, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, newTicket, useDatabase, useWorld } from './contract-support.ts';
import { type World } from '../support/fixtures.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, tickets, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    // threat: A requester never learns that an internal note was written
    it('an internal note moves the staff activity time only; a public message and a ticket change move both', async () => {
      const req = await storage.people.createUser(newUser('activity.req@example.test'), AT);
      const tech = await storage.people.createUser(newUser('activity.tech@example.test', 'technician'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(req.id), AT);
      assert.equal(ticket.publicActivityAt, AT);
      const message = (text: string, internal: boolean, createdAt: string) => ({
        ticketId: ticket.id,
        authorId: tech.id,
        text,
        internal,
        sendEmail: false,
        source: 'desk' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt,
      });
      await storage.atomic.storeMessage(message('Note', true, '2026-03-14T16:00:00.000Z'), []);
      let read = await storage.tickets.findTicketByNumber(ticket.number);
      assert.equal(read?.lastActivityAt, '2026-03-14T16:00:00.000Z');
      assert.equal(read?.publicActivityAt, AT);
      await storage.atomic.storeMessage(message('Reply', false, '2026-03-14T17:00:00.000Z'), []);
      read = await storage.tickets.findTicketByNumber(ticket.number);
      assert.equal(read?.publicActivityAt, '2026-03-14T17:00:00.000Z');
      await storage.tickets.updateTicket(ticket.id, { status: 'in_progress' }, '2026-03-14T18:00:00.000Z');
      read = (
        await storage.tickets.listTickets({ kind: 'requester', requesterId: req.id }, {}, { limit: 10 })
      ).items.find((t) => t.id === ticket.id);
      assert.equal(read?.publicActivityAt, '2026-03-14T18:00:00.000Z');
      assert.equal(read?.lastActivityAt, '2026-03-14T18:00:00.000Z');
    });

    // A database of its own, with a world of users, groups and tickets.
    let world: World;
    let storage2: SqlStorage;
    useWorld(database, (opened, built) => {
      storage2 = opened;
      world = built;
    });

    it('numbers tickets and reads them back with the names the template keys need', async () => {
      const t = (await storage2.tickets.findTicketByNumber(world.ticketA.number))!;
      assert.equal(t.number, world.ticketA.number);
      assert.equal(t.requesterName, 'João Muñoz');
      assert.equal(t.groupName, 'Group A');
      assert.equal(t.responsibleName, null);
      assert.equal(t.demandType, 'Incident');
      assert.equal(t.status, 'new');
      const b = (await storage2.tickets.findTicketByNumber(world.ticketB.number))!;
      assert.equal(b.responsibleName, 'Bruno Técnico');
    });

    it('lists tickets newest first within each scope', async () => {
      const all = await storage2.tickets.listTickets({ kind: 'all' }, {}, { limit: 10 });
      assert.deepEqual(
        all.items.map((t) => t.number),
        [world.ticketB.number, world.ticketA.number],
      );
      const mine = await storage2.tickets.listTickets(
        { kind: 'requester', requesterId: world.requesterA.id },
        {},
        { limit: 10 },
      );
      assert.deepEqual(
        mine.items.map((t) => t.number),
        [world.ticketA.number],
      );
      const techA = await storage2.tickets.listTickets(
        { kind: 'technician', userId: world.techA.id, groupIds: [world.groupA] },
        {},
        { limit: 10 },
      );
      assert.deepEqual(
        techA.items.map((t) => t.number),
        [world.ticketA.number],
      );
      // responsible without being in the group still sees the ticket
      const techB = await storage2.tickets.listTickets(
        { kind: 'technician', userId: world.techB.id, groupIds: [] },
        {},
        { limit: 10 },
      );
      assert.deepEqual(
        techB.items.map((t) => t.number),
        [world.ticketB.number],
      );
      const unassigned = await storage2.tickets.listTickets({ kind: 'all' }, { unassigned: true }, { limit: 10 });
      assert.deepEqual(
        unassigned.items.map((t) => t.number),
        [world.ticketA.number],
      );
      const page1 = await storage2.tickets.listTickets({ kind: 'all' }, {}, { limit: 1 });
      const page2 = await storage2.tickets.listTickets({ kind: 'all' }, {}, { limit: 1, cursor: page1.nextCursor });
      assert.deepEqual(
        [...page1.items, ...page2.items].map((t) => t.number),
        [world.ticketB.number, world.ticketA.number],
      );
      assert.equal(page2.nextCursor, null);
    });

    it('updates a ticket and moves its activity time', async () => {
      await storage2.tickets.updateTicket(
        world.ticketA.id,
        { status: 'in_progress', category: 'Printers' },
        '2026-04-01T00:00:00.000Z',
      );
      const t = (await storage2.tickets.findTicketByNumber(world.ticketA.number))!;
      assert.equal(t.status, 'in_progress');
      assert.equal(t.category, 'Printers');
      assert.equal(t.lastActivityAt, '2026-04-01T00:00:00.000Z');
      assert.equal(
        (await storage2.tickets.listTickets({ kind: 'all' }, { status: 'in_progress' }, { limit: 5 })).items.length,
        1,
      );
    });
  });
}
