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
      const one = await say(ticket.id, requester.id, 'one');
      const file = (id: string, name: string, inline: boolean) => ({
        id,
        ticketId: ticket.id,
        messageId: one,
        inboundMailId: null,
        name,
        contentType: 'text/plain',
        size: 1,
        sha256: 'e'.repeat(64),
        inline,
        content: new Uint8Array([1]),
      });
      await storage.attachments.insertAttachments(
        [
          file('history-file-1-aaaaaaaa', 'z-first.pdf', false),
          file('history-file-2-aaaaaaaa', 'logo.png', true),
          file('history-file-3-aaaaaaaa', 'a-second.txt', false),
        ],
        AT,
      );
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
      // Files named in their order, inline ones (a signature's logo) left out.
      assert.deepEqual(
        latest.map((m) => m.fileNames),
        [[], [], ['z-first.pdf', 'a-second.txt']],
      );
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
