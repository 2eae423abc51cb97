/**
 * A delivery report about a notification to a person arrives after that person was erased: it quotes their address
 * and the mail that was erased, so it is recorded as a bounce and kept without its original, text or sender, whether
 * it came back to the mail's signed bounce address or to the support address naming the mail's Message-ID. The
 * erased notification stays as the erasure left it, and no webhook names the address. SQLite and PostgreSQL; the
 * database is read directly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { DELIVERY_SENTENCES } from '../../src/domain/notifications/delivery-results.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';

for (const database of [sqliteMemory, postgres]) {
  describe(`a delivery report arriving after an erasure, on ${database.name}`, () => {
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

    /** A delivery report, received and processed as the receiver and ingestor do. */
    async function receiveReport(envelopeTo: string, vars: Record<string, string | number>) {
      const raw = eml('dsn-postfix', vars);
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: '',
        envelopeTo: [envelopeTo],
        remoteAddress: '192.0.2.25',
      });
      const parsing = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      return processInboundMail(parsing, id);
    }

    // threat: A delivery report arriving after an erasure brings back the erased address
    it('keeps nothing of it, by the signed bounce address or by Message-ID, and leaves the notification as erased', async () => {
      const person = w.requesterB; // of ticket B, techB responsible
      const posted = await postMessage(deps, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'Your badge BADGE-30917 is ready.',
        source: 'desk',
      });
      const [entry] = await storage.outbox.outboxOfMessages([posted.message.id]);
      assert.equal(entry?.toAddress, person.email);
      const erased = await eraseRequester(deps, CLI_ORIGIN, person.id, { confirmEmail: person.email });
      assert.ok(erased.outboxEntries >= 1);
      // The staff's message stays in the thread (its words are theirs); the mail to the person is emptied.
      const traces = [person.email, person.name];
      assert.deepEqual(await tracesIn(storage, traces), []);

      const report = (n: number) => ({
        TO: 'desk@desk.example.test',
        MESSAGE_ID: `<late.${n}@mx.example.net>`,
        FAILED_RECIPIENT: person.email,
        TICKET: w.ticketB.number,
        ORIGINAL_MESSAGE_ID: entry!.messageIdHeader,
      });
      const verp = await receiveReport(bounceAddress(deps.signer, deps.site.mailDomain, entry!.id), report(1));
      const named = await receiveReport('help@desk.example.test', report(2));
      for (const mail of [verp, named]) {
        assert.deepEqual(
          [mail?.status, mail?.reason, mail?.outboxId, mail?.ticketId],
          ['bounce', 'bounce-of-notification', entry!.id, w.ticketB.id],
          JSON.stringify(mail),
        );
        assert.equal(mail?.size, 0, 'its original is gone');
        assert.equal(await storage.inbound.inboundRaw(mail!.id).then((r) => r?.byteLength ?? 0), 0);
      }
      assert.deepEqual(await tracesIn(storage, traces), []);
      const after = await storage.outbox.findOutboxEntry(entry!.id);
      assert.deepEqual([after?.status, after?.lastReply], ['failed', DELIVERY_SENTENCES.ERASED]);
      const bounced = await storage.kyselyInstance
        .selectFrom('webhook_delivery')
        .select('id')
        .where('event', '=', 'mail.bounced')
        .execute();
      assert.equal(bounced.length, 0);
    });
  });
}
