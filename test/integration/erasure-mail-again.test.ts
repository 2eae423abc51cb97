/**
 * A requester's mail arriving again after their erasure (an MTA's retry, an IMAP re-fetch after someone marks it
 * unread or restores the mailbox): still known as a copy of the erased mail, so not posted again, and recorded
 * keeping nothing of them (no original, envelope sender, address, name, subject or text), whether its key holds a
 * Message-ID, a digest of its content, or was written the earlier way (the Message-ID alone). A copy of a mail not
 * erased keeps its facts as before. SQLite and PostgreSQL; the database is read directly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { copyOfErasedText } from '../../src/domain/inbound/copy-of-erased-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { verified } from '../support/sender.ts';
import { keyTheEarlierWay } from '../support/earlier-keys.ts';

for (const database of [sqliteMemory, postgres]) {
  describe(`a requester's mail arriving again after their erasure, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let w: World;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      w = await buildWorld(deps);
      await endpointForEveryEvent(deps);
    });
    after(async () => {
      await storage.close();
      await drop();
    });

    /** A requester (`tag` in their address and name) with a ticket of their own, and their reply by mail to it. */
    async function requesterReplying(tag: string, messageId: string | null) {
      const email = `${tag}.quarry@example.org`;
      const name = `Quarry ${tag}`;
      const user = await createUser(deps, CLI_ORIGIN, { role: 'requester', email, name, password: TEST_PASSWORD });
      const ticket = await openTicket(
        deps,
        { ...user, groupIds: [] },
        { title: 'Locker', description: 'Which locker?', groupId: w.groupA },
      );
      const to = replyAddress(deps.signer, deps.site.mailDomain, ticket.number, user.id);
      const raw = verified(
        Buffer.from(
          [
            `From: "${name}" <${email}>`,
            `To: ${to}`,
            `Subject: Re: [#${ticket.number}] SUBJ-${tag}`,
            ...(messageId ? [`Message-ID: ${messageId}`] : []),
            `X-Private-Marker: RAW-${tag}`,
            '',
            `My locker code is TEXT-${tag}.`,
            '',
          ].join('\r\n'),
        ),
      );
      return { user, ticket, to, raw, traces: [email, name, `RAW-${tag}`, `TEXT-${tag}`, `SUBJ-${tag}`, tag] };
    }

    /** The mail, received and processed as the receiver and ingestor do. */
    async function deliver(raw: Buffer, envelopeFrom: string, to: string) {
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom,
        envelopeTo: [to],
        remoteAddress: '192.0.2.7',
      });
      const parsing = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      return processInboundMail(parsing, id);
    }

    /** How many messages a ticket's thread has. */
    const messagesOf = async (ticketId: number) =>
      (
        await storage.kyselyInstance
          .selectFrom('ticket_message')
          .select('id')
          .where('ticket_id', '=', ticketId)
          .execute()
      ).length;

    const kinds = {
      'with a Message-ID': (tag: string) => `<${tag}@Mail.Example.org>`,
      'without a Message-ID': () => null,
      'keyed the earlier way (the Message-ID alone)': (tag: string) => `<${tag}@mail.example.org>`,
    } as const;
    for (const [kind, messageIdOf] of Object.entries(kinds)) {
      // threat: A requester's mail arriving again after their erasure (an MTA's retry, an IMAP re-fetch) brings back
      it(`keeps nothing of a copy of an erased mail ${kind}, and posts it nowhere`, async () => {
        const tag = `again${Object.keys(kinds).indexOf(kind)}x${database.name.length}`;
        const mail = await requesterReplying(tag, messageIdOf(tag));
        const posted = await deliver(mail.raw, mail.user.email, mail.to);
        assert.equal(posted?.status, 'posted', JSON.stringify(posted));
        if (kind.startsWith('keyed the earlier way')) {
          // A mail stored before the keys named the sender: its key the Message-ID as written.
          await keyTheEarlierWay(storage, posted!.id, `mid:${messageIdOf(tag)}`);
        }
        await eraseRequester(deps, CLI_ORIGIN, mail.user.id, { confirmEmail: mail.user.email });
        assert.deepEqual(await tracesIn(storage, mail.traces), []);
        const thread = await messagesOf(mail.ticket.id);

        // The same bytes again, twice (a retry, then a re-fetch).
        for (const attempt of [1, 2]) {
          const copy = await deliver(mail.raw, mail.user.email, mail.to);
          assert.deepEqual(
            [copy?.status, copy?.duplicateOf, copy?.reasonText, copy?.size, copy?.messageId],
            ['duplicate', posted!.id, copyOfErasedText(posted!.id), 0, null],
            `copy ${attempt}: ${JSON.stringify(copy)}`,
          );
          assert.deepEqual(
            [copy?.fromAddress, copy?.fromName, copy?.envelopeFrom, copy?.subject, copy?.text, copy?.messageIdHeader],
            [null, null, null, null, null, null],
          );
          assert.deepEqual(await tracesIn(storage, mail.traces), [], `copy ${attempt}`);
        }
        assert.equal(await messagesOf(mail.ticket.id), thread, 'not posted again');
      });
    }

    it('keeps the facts of a copy of a mail not erased, and posts it nowhere', async () => {
      const tag = `kept${database.name.length}`;
      const mail = await requesterReplying(tag, `<${tag}@mail.example.org>`);
      const posted = await deliver(mail.raw, mail.user.email, mail.to);
      assert.equal(posted?.status, 'posted', JSON.stringify(posted));
      const thread = await messagesOf(mail.ticket.id);
      const copy = await deliver(mail.raw, mail.user.email, mail.to);
      assert.deepEqual(
        [copy?.status, copy?.reason, copy?.duplicateOf, copy?.fromAddress, copy?.envelopeFrom],
        ['duplicate', 'same-message-id', posted!.id, mail.user.email, mail.user.email],
        JSON.stringify(copy),
      );
      assert.match(copy?.text ?? '', new RegExp(`TEXT-${tag}`));
      assert.ok((copy?.size ?? 0) > 0, 'its original is kept');
      assert.equal(await messagesOf(mail.ticket.id), thread);
    });
  });
}
