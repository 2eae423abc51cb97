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

    it('empties mail to a recipient by id, by address only when it names no recipient, and marks it for good', async () => {
      const person = await storage.people.createUser(newUser('person.outbox@example.test'), AT);
      const other = await storage.people.createUser(newUser('other.outbox@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(other.id, { title: 'Their ticket' }), AT);
      const mail = (n: number, recipientId: number | null, toAddress: string) => ({
        ticketId: ticket.id,
        recipientId,
        toAddress,
        toName: `Recipient ${n}`,
        subject: `Subject ${n}`,
        html: `<p>Body ${n}</p>`,
        text: `Body ${n}`,
        messageIdHeader: `<erasure-outbox.${n}@desk.example.test>`,
        threadId: null,
        replyTo: null,
      });
      // An address the person had before, which another user had too: mail to that user is theirs.
      const { outboxIds } = await storage.atomic.storeMessage(
        {
          ticketId: ticket.id,
          authorId: other.id,
          text: 'Hello',
          internal: false,
          sendEmail: true,
          source: 'desk',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: AT,
        },
        [
          mail(1, other.id, 'shared@example.test'),
          mail(2, null, 'Shared@example.test'),
          mail(3, person.id, 'p@example.test'),
        ],
      );
      const [toOther, byAddress, byId] = outboxIds as [number, number, number];
      const erased = await storage.outbox.eraseOutboxOf(
        { recipientId: person.id, names: [], addresses: ['shared@example.test'], messageIds: [], ticketIds: [] },
        { address: 'erased-1@erased.invalid', name: 'Erased requester 1', cancelReply: 'Not sent: erased.' },
        LATER,
      );
      assert.deepEqual(
        [...erased.ids].sort((a, b) => a - b),
        [byAddress, byId],
      );
      assert.deepEqual(
        [...erased.toThem].sort((a, b) => a - b),
        [byAddress, byId],
      );
      const kept = (await storage.outbox.findOutboxEntry(toOther))!;
      assert.deepEqual([kept.toAddress, kept.text, kept.erasedAt], ['shared@example.test', 'Body 1', null]);
      for (const id of [byAddress, byId]) {
        const e = (await storage.outbox.findOutboxEntry(id))!;
        assert.deepEqual([e.toAddress, e.text, e.subject, e.erasedAt], ['erased-1@erased.invalid', '', '', LATER]);
        assert.equal(await storage.outbox.recordOutboxBounce(id, LATER, '550 gone'), false, 'a late bounce: ignored');
        assert.equal(await storage.outbox.retryOutboxNow(id, LATER), undefined, 'never retried');
      }
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
