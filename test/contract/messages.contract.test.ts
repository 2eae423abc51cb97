/**
 * The storage contract of a ticket's thread as a mail's history reads it, on every real database: the newest public
 * messages first, never an internal note nor a removed message, never another ticket's, at most as many as asked.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, a thread's latest public messages, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('lists the newest public messages first, leaving out internal notes, removed messages and other tickets', async () => {
      const requester = await storage.people.createUser(newUser('history@example.test'), AT);
      const tech = await storage.people.createUser(newUser('history.tech@example.test', 'technician'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const other = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const say = async (ticketId: number, authorId: number, text: string, internal = false) =>
        (
          await storage.atomic.storeMessage(
            {
              ticketId,
              authorId,
              text,
              internal,
              sendEmail: false,
              source: 'portal',
              timeSpentMinutes: null,
              timeSpentDate: null,
              createdAt: AT,
            },
            [],
          )
        ).messageId;
      await say(ticket.id, requester.id, 'one');
      await say(ticket.id, tech.id, 'two');
      await say(ticket.id, tech.id, 'a note', true);
      await say(other.id, requester.id, 'elsewhere');
      await say(ticket.id, requester.id, 'three');
      const latest = await storage.messages.latestPublicMessages(ticket.id, 10);
      assert.deepEqual(
        latest.map((m) => m.text),
        ['three', 'two', 'one'],
      );
      assert.equal(latest[1]!.authorName, tech.name);
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(ticket.id, 2)).map((m) => m.text),
        ['three', 'two'],
      );
      assert.deepEqual(await storage.messages.latestPublicMessages(ticket.id, 0), []);
      await storage.messages.removeMessagesOfAuthor(requester.id, AT);
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(ticket.id, 10)).map((m) => m.text),
        ['two'],
      );
    });
  });
}
