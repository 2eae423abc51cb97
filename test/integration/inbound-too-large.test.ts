/**
 * A mail read from a mailbox over the size limit (`holdTooLargeMail`, which the IMAP reader calls with the mail's
 * headers): held for review with its sender, subject, size and the limit, never processed as a mail of its own; the
 * same mail recorded again is a duplicate of the first; the whole mail, taken later (a higher limit), is not.
 * Each runs on SQLite and PostgreSQL; the IMAP side is in imap-mailbox.test.ts.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { holdTooLargeMail } from '../../src/domain/inbound/hold-too-large-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';

const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');

for (const database of [sqliteMemory, postgres]) {
  describe(`a mail too large to take, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let inbound: InboundDeps;
    let w: World;

    before(async () => {
      ({ storage, drop } = await database.open());
      const deps = testDeps(storage, new TestClock());
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
    });
    after(async () => {
      await storage?.close();
      await drop?.();
    });

    const headersOf = (messageId: string) =>
      Buffer.from(
        `From: ${w.requesterA.name} <${w.requesterA.email}>\r\nTo: desk@desk.example.test\r\n` +
          `Subject: Scans of the contract [#${w.ticketA.number}]\r\nMessage-ID: ${messageId}\r\n\r\n`,
      );
    const record = (headers: Buffer, size = 30_000_000) =>
      holdTooLargeMail(inbound, {
        mail: {
          raw: headers,
          sha256: sha(headers),
          envelopeFrom: null,
          envelopeTo: [],
          remoteAddress: 'imap:mail.example.test',
          size,
        },
        maxBytes: 26_214_400,
      });

    it('is held for review with its sender, subject, size, the limit and the ticket it names', async () => {
      const headers = headersOf('<large.1@example.org>');
      const held = await record(headers);
      const stored = (await storage.inbound.findInboundMail(held.id))!;
      assert.deepEqual(stored, held, 'what it returns is what was stored');
      assert.deepEqual([stored.status, stored.reason], ['held', 'too-large']);
      assert.deepEqual(
        [stored.fromAddress, stored.subject],
        [w.requesterA.email, `Scans of the contract [#${w.ticketA.number}]`],
      );
      assert.equal(stored.size, 30_000_000, 'the whole mail’s size');
      assert.match(stored.reasonText!, /30000000 bytes, over the limit of 26214400 bytes/);
      assert.equal(stored.ticketId, w.ticketA.id, 'the ticket it names: its reviewers see it');
      assert.match(stored.text!, /Only the headers of this mail were kept/, 'attached to a ticket, it says so');
      assert.deepEqual(Buffer.from((await storage.inbound.inboundRaw(held.id))!), headers, 'its headers, as read');
      // Decided when stored: no ingestor's sweep ever processes the headers as a mail.
      assert.deepEqual(
        await storage.inbound.pendingInboundMail(new Date(Date.now() + 3_600_000).toISOString(), 10),
        [],
      );
    });

    it('recorded again (left unflagged): a duplicate of the first, not a second one to review', async () => {
      const headers = headersOf('<large.2@example.org>');
      const first = await record(headers);
      const again = await record(headers);
      assert.deepEqual([again.status, again.reason, again.duplicateOf], ['duplicate', 'same-message-id', first.id]);
      assert.equal((await storage.inbound.findInboundMail(first.id))!.status, 'held');
    });

    it('the whole mail, taken later (a higher limit), is processed, not a copy of its headers', async () => {
      const messageId = '<large.3@example.org>';
      await record(headersOf(messageId));
      const whole = Buffer.concat([headersOf(messageId), Buffer.from('The scans are attached.\r\n')]);
      const id = await receiveMail(inbound, {
        raw: whole,
        sha256: sha(whole),
        envelopeFrom: null,
        envelopeTo: [],
        remoteAddress: 'imap:mail.example.test',
      });
      const decided = (await processInboundMail(inbound, id))!;
      assert.notEqual(decided.status, 'duplicate', `${decided.reason}: ${decided.reasonText}`);
    });
  });
}
