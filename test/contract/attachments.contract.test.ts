/**
 * The storage contract of attachments, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, newTicket, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, attachments, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('stores attachments byte-exact under their ids, with their message in one transaction, and links a held mail’s', async () => {
      const user = await storage.people.createUser(newUser('attach@example.test'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(user.id), AT);
      const mailId = await storage.inbound.insertInboundMail(
        { raw: new Uint8Array([65]), sha256: 'c'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const content = new Uint8Array(70_000).map((_, i) => (i * 7) % 256); // every byte value, NUL included
      const file = (
        id: string,
        name: string,
        bytes: Uint8Array,
        messageId: number | null,
        ticketId: number | null,
      ) => ({
        id,
        ticketId,
        messageId,
        inboundMailId: mailId,
        name,
        contentType: 'application/pdf',
        size: bytes.byteLength,
        sha256: 'd'.repeat(64),
        inline: false,
        content: bytes,
      });
      const row = {
        ticketId: ticket.id,
        authorId: user.id,
        text: 'with files',
        internal: false,
        sendEmail: false,
        source: 'email' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt: AT,
      };
      const { messageId } = await storage.transaction(async (tx) => {
        const stored = await tx.atomic.storeMessage(row, []);
        await tx.attachments.insertAttachments(
          [
            file('contract-att-1-aaaaaaaa', 'Relatório.pdf', content, stored.messageId, ticket.id),
            file('contract-att-2-aaaaaaaa', 'b.txt', new Uint8Array([0, 255]), stored.messageId, ticket.id),
          ],
          AT,
        );
        return stored;
      });
      const listed = await storage.attachments.attachmentsOfMessages([messageId, 987_654]);
      assert.deepEqual(
        listed.map((a) => [
          a.id,
          a.name,
          a.size,
          a.contentType,
          a.messageId,
          a.ticketId,
          a.inboundMailId,
          a.inline,
          a.createdAt,
        ]),
        [
          [
            'contract-att-1-aaaaaaaa',
            'Relatório.pdf',
            70_000,
            'application/pdf',
            messageId,
            ticket.id,
            mailId,
            false,
            AT,
          ],
          ['contract-att-2-aaaaaaaa', 'b.txt', 2, 'application/pdf', messageId, ticket.id, mailId, false, AT],
        ],
      );
      assert.deepEqual(await storage.attachments.attachmentsOfMessages([]), []);
      assert.deepEqual(
        Buffer.from((await storage.attachments.attachmentContent('contract-att-1-aaaaaaaa'))!),
        Buffer.from(content),
      );
      assert.equal(await storage.attachments.attachmentContent('nope'), undefined);
      const found = (await storage.attachments.findAttachment('contract-att-2-aaaaaaaa'))!;
      assert.deepEqual([found.internal, found.ticketId, found.sha256], [false, ticket.id, 'd'.repeat(64)]);
      assert.equal(await storage.attachments.findAttachment('nope'), undefined);
      // The same id twice is refused.
      await assert.rejects(
        storage.transaction((tx) =>
          tx.attachments.insertAttachments(
            [file('contract-att-1-aaaaaaaa', 'x', new Uint8Array([1]), messageId, ticket.id)],
            AT,
          ),
        ),
      );

      // A failing transaction stores neither the message nor its attachments.
      await assert.rejects(
        storage.transaction(async (tx) => {
          const stored = await tx.atomic.storeMessage(row, []);
          await tx.attachments.insertAttachments(
            [file('contract-att-3-aaaaaaaa', 'c', new Uint8Array([1]), stored.messageId, ticket.id)],
            AT,
          );
          throw new Error('crash after the attachments');
        }),
      );
      assert.equal(await storage.attachments.findAttachment('contract-att-3-aaaaaaaa'), undefined);
      assert.equal((await storage.messages.listMessages(ticket.id, true)).length, 1);

      // A held mail's attachments: kept with no ticket or message, then linked (once) to the message it becomes.
      await storage.attachments.insertAttachments(
        [file('contract-att-4-aaaaaaaa', 'held.bin', new Uint8Array([9]), null, null)],
        AT,
      );
      assert.deepEqual((await storage.attachments.findAttachment('contract-att-4-aaaaaaaa'))!.internal, null);
      const note = await storage.transaction(async (tx) => {
        const stored = await tx.atomic.storeMessage({ ...row, internal: true }, []);
        assert.equal(await tx.attachments.linkInboundAttachments(mailId, ticket.id, stored.messageId), 1);
        return stored;
      });
      assert.equal(await storage.attachments.linkInboundAttachments(mailId, ticket.id, note.messageId), 0);
      const linked = (await storage.attachments.findAttachment('contract-att-4-aaaaaaaa'))!;
      assert.deepEqual([linked.messageId, linked.ticketId, linked.internal], [note.messageId, ticket.id, true]);
      assert.deepEqual((await storage.attachments.attachmentsOfInboundMail(mailId)).map((a) => a.id).sort(), [
        'contract-att-1-aaaaaaaa',
        'contract-att-2-aaaaaaaa',
        'contract-att-4-aaaaaaaa',
      ]);
      // Only attachments in no thread are removed with a discarded mail.
      await storage.attachments.insertAttachments(
        [file('contract-att-5-aaaaaaaa', 'spam.exe', new Uint8Array([1]), null, null)],
        AT,
      );
      assert.equal(await storage.attachments.deleteUnlinkedInboundAttachments(mailId), 1);
      assert.equal(await storage.attachments.findAttachment('contract-att-5-aaaaaaaa'), undefined);
      assert.ok(await storage.attachments.findAttachment('contract-att-4-aaaaaaaa'));

      // The skipped-attachments note of an inbound mail.
      assert.equal((await storage.inbound.findInboundMail(mailId))!.attachmentNote, null);
      await storage.inbound.finishInboundMail(
        mailId,
        {
          status: 'held',
          reason: 'no-match',
          reasonText: 'x',
          at: AT,
          attachmentNote: '[1 attachment was not kept: a.zip (40 MB, too large)]',
        },
        ['received'],
      );
      assert.equal(
        (await storage.inbound.findInboundMail(mailId))!.attachmentNote,
        '[1 attachment was not kept: a.zip (40 MB, too large)]',
      );
    });
  });
}
