/**
 * The storage contract of erasure (GDPR art. 17, LGPD art. 18), on every real database: only a requester, only once;
 * messages stay, emptied and marked; all of it undone when the transaction fails (never half-erased).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

const LATER = '2026-03-15T10:00:00.000Z';
const PSEUDONYM = (id: number) => ({ name: 'Erased requester 0badc0de', email: `erased-${id}@erased.invalid` });

for (const database of ALL_DATABASES) {
  describe(`storage contract, erasure, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    async function requesterWithMessage(email: string) {
      const user = await storage.people.createUser({ ...newUser(email), passwordHash: 'hash' }, AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id, { title: 'Private title' }), AT);
      const { messageId } = await storage.atomic.storeMessage(
        {
          ticketId: ticket.id,
          authorId: user.id,
          text: 'Private text',
          internal: false,
          sendEmail: false,
          source: 'portal',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: AT,
        },
        [],
      );
      return { user, ticket, messageId };
    }

    it('erases a requester once: pseudonym, no password, no signature, inactive, no groups; never staff', async () => {
      const tech = await storage.people.createUser(newUser('tech.erase@example.test', 'technician'), AT);
      assert.equal(await storage.people.eraseRequester(tech.id, PSEUDONYM(tech.id), LATER), false);
      assert.equal((await storage.people.findUserById(tech.id))?.name, tech.name);

      const { user } = await requesterWithMessage('once@example.test');
      const group = await storage.people.createGroup('Erasure group');
      await storage.people.addGroupMember(group.id, user.id);
      await storage.people.setUserSignature(user.id, 'Once a technician'); // kept from when they were staff
      assert.equal(await storage.people.eraseRequester(user.id, PSEUDONYM(user.id), LATER), true);
      assert.equal(await storage.people.userSignature(user.id), null, 'their signature goes too');
      const erased = await storage.people.findUserByEmail(PSEUDONYM(user.id).email);
      assert.equal(erased?.id, user.id);
      assert.equal(erased?.name, PSEUDONYM(user.id).name);
      assert.equal(erased?.passwordHash, null);
      assert.equal(erased?.active, false);
      assert.equal(erased?.erasedAt, LATER);
      assert.deepEqual(await storage.people.groupIdsOfUser(user.id), []);
      assert.equal(await storage.people.eraseRequester(user.id, PSEUDONYM(user.id), LATER), false, 'only once');
    });

    it("empties and marks an author's messages, which stay in the thread; a second pass removes none", async () => {
      const { user, ticket, messageId } = await requesterWithMessage('messages@example.test');
      const first = await storage.messages.removeMessagesOfAuthor(user.id, LATER);
      assert.deepEqual(first, { messageIds: [messageId], removed: 1 });
      const [message] = await storage.messages.listMessages(ticket.id, true);
      assert.equal(message?.id, messageId);
      assert.equal(message?.text, '');
      assert.equal(message?.removed, true);
      assert.deepEqual(await storage.messages.removeMessagesOfAuthor(user.id, LATER), {
        messageIds: [messageId],
        removed: 0,
      });
    });

    it('undoes every part of an erasure when its transaction fails', async () => {
      const { user, ticket } = await requesterWithMessage('rollback@example.test');
      await assert.rejects(
        storage.transaction(async (tx) => {
          assert.equal(await tx.people.eraseRequester(user.id, PSEUDONYM(user.id), LATER), true);
          await tx.tickets.eraseTicketsOfRequester(user.id, 'Removed', LATER);
          await tx.messages.removeMessagesOfAuthor(user.id, LATER);
          throw new Error('the disk filled up');
        }),
        /the disk filled up/,
      );
      const kept = await storage.people.findUserById(user.id);
      assert.equal(kept?.email, 'rollback@example.test');
      assert.equal(kept?.erasedAt, null);
      assert.equal((await storage.tickets.findTicketByNumber(ticket.id))?.title, 'Private title');
      const [message] = await storage.messages.listMessages(ticket.id, true);
      assert.equal(message?.text, 'Private text');
      assert.equal(message?.removed, false);
    });
  });
}
