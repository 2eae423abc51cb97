/**
 * A delivery report about a notification to a person arrives after that person was erased: it quotes their address
 * and the mail that was erased, so it is recorded as a bounce and kept without its original, text or sender, whether
 * it came back to the mail's signed bounce address or to the support address naming the mail's Message-ID, whether
 * it is a copy of another, and when the erasure commits between its check and its record. The erased notification
 * stays as the erasure left it, and no webhook names the address. SQLite and PostgreSQL; the database is read
 * directly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { erasedReportText } from '../../src/domain/inbound/report-on-erased-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { DELIVERY_SENTENCES } from '../../src/domain/notifications/delivery-results.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { endpointForEveryEvent, erasingAfterTheCheck, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';

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
    async function receiveReport(
      envelopeTo: string,
      vars: Record<string, string | number>,
      through = storage,
      delayed = false,
    ) {
      const failed = eml('dsn-postfix', vars);
      // A delay report: the same report, its recipient's action "delayed" with a temporary status.
      const raw = delayed
        ? Buffer.from(
            failed
              .toString('utf8')
              .replace('Action: failed', 'Action: delayed')
              .replace('Status: 5.1.1', 'Status: 4.4.1'),
          )
        : failed;
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: '',
        envelopeTo: [envelopeTo],
        remoteAddress: '192.0.2.25',
      });
      const parsing = {
        ...deps,
        storage: through,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      return processInboundMail(parsing, id);
    }

    /** A technician's answer on a ticket; returns its notification, to `to`. */
    async function notified(tech: Actor, ticketNumber: number, text: string, to: string) {
      const posted = await postMessage(deps, tech, { ticketNumber, text, source: 'desk' });
      const [entry] = await storage.outbox.outboxOfMessages([posted.message.id]);
      assert.equal(entry?.toAddress, to);
      return entry!;
    }

    /** The `mail.bounced` webhook deliveries queued. */
    const bouncedHooks = async () =>
      (
        await storage.kyselyInstance
          .selectFrom('webhook_delivery')
          .select('id')
          .where('event', '=', 'mail.bounced')
          .execute()
      ).length;

    /** A report as the fixture writes it, about the notification `entry`, failing for `recipient`. */
    const report = (n: number, entry: { messageIdHeader: string }, recipient: string, ticket: number) => ({
      TO: 'desk@desk.example.test',
      MESSAGE_ID: `<late.${n}.${database.name}@mx.example.net>`,
      FAILED_RECIPIENT: recipient,
      TICKET: ticket,
      ORIGINAL_MESSAGE_ID: entry.messageIdHeader,
    });

    /** Asserts that a report was recorded as one about the erased notification, and nothing of it kept. */
    function keptNothing(mail: InboundMail | undefined, entry: { id: number; ticketId: number | null }) {
      assert.deepEqual(
        [mail?.status, mail?.reason, mail?.outboxId, mail?.ticketId, mail?.reasonText],
        ['bounce', 'bounce-of-notification', entry.id, entry.ticketId, erasedReportText(entry.id)],
        JSON.stringify(mail),
      );
      assert.equal(mail?.size, 0, 'its original is gone');
    }

    // threat: A delivery report arriving after an erasure brings back the erased address
    it('keeps nothing of it, by the signed bounce address or by Message-ID, copies included, and leaves the notification as erased', async () => {
      const person = w.requesterB; // of ticket B, techB responsible
      const entry = await notified(w.techB, w.ticketB.number, 'Your badge BADGE-30917 is ready.', person.email);
      const verp = bounceAddress(deps.signer, deps.site.mailDomain, entry.id);
      // Before the erasure: a report marks the notification failed, and a copy of it is recorded as a duplicate; the
      // erasure erases both.
      const before = await receiveReport(verp, report(0, entry, person.email, w.ticketB.number));
      assert.equal(before?.status, 'bounce');
      const copy = await receiveReport(verp, report(0, entry, person.email, w.ticketB.number));
      assert.equal(copy?.status, 'duplicate');
      const erased = await eraseRequester(deps, CLI_ORIGIN, person.id, { confirmEmail: person.email });
      assert.ok(erased.outboxEntries >= 1);
      // The staff's message stays in the thread (its words are theirs); the mail to the person is emptied.
      const traces = [person.email, person.name];
      assert.deepEqual(await tracesIn(storage, traces), []);

      const about = { id: entry.id, ticketId: w.ticketB.id };
      keptNothing(await receiveReport(verp, report(1, entry, person.email, w.ticketB.number)), about);
      // A second copy of that report (an MTA's retry) too.
      keptNothing(await receiveReport(verp, report(1, entry, person.email, w.ticketB.number)), about);
      // One to the support address that names the mail's Message-ID.
      keptNothing(
        await receiveReport('help@desk.example.test', report(2, entry, person.email, w.ticketB.number)),
        about,
      );
      // One to the mail's signed bounce address that names neither the mail nor its recipient: the address alone
      // says which mail it is about.
      const vague = report(3, { messageIdHeader: '<elsewhere.1@mx.example.net>' }, 'nobody@example.net', 0);
      keptNothing(await receiveReport(verp, vague), about);
      assert.deepEqual(await tracesIn(storage, traces), []);
      // The reports the erasure erased stay as it left them (its time, no reason), whatever arrived after.
      for (const earlier of [before, copy]) {
        const now = await storage.inbound.findInboundMail(earlier!.id);
        assert.deepEqual([now?.size, now?.reasonText, now?.rawRemovedAt], [0, null, erased.erasedAt]);
      }
      const after = await storage.outbox.findOutboxEntry(entry.id);
      assert.deepEqual([after?.status, after?.lastReply], ['failed', DELIVERY_SENTENCES.ERASED]);
      assert.equal(await bouncedHooks(), 0);
    });

    /** A requester of their own ticket in group A, and techA's notification to them. */
    async function requesterMailed(tag: string) {
      const user = await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email: `${tag}.racer@example.org`,
        name: `Racer ${tag}`,
        password: TEST_PASSWORD,
      });
      const ticket = await openTicket(
        deps,
        { ...user, groupIds: [] },
        { title: 'Locker', description: 'Which locker?', groupId: w.groupA },
      );
      const entry = await notified(w.techA, ticket.number, `Your locker ${tag} is ready.`, user.email);
      return { person: user, ticket, entry };
    }

    for (const kind of ['failure', 'delay', 'copy'] as const) {
      it(`keeps nothing of a report (${kind}) checked just before the erasure and recorded after it`, async () => {
        const { person, ticket, entry } = await requesterMailed(`race-${kind}-${database.name.length}`);
        const verp = bounceAddress(deps.signer, deps.site.mailDomain, entry.id);
        const vars = report(10 + ['failure', 'delay', 'copy'].indexOf(kind), entry, person.email, ticket.number);
        // A copy: the first report arrived before (it marks the notification failed), the copy races the erasure.
        if (kind === 'copy') assert.equal((await receiveReport(verp, vars))?.status, 'bounce');
        const erase = () => eraseRequester(deps, CLI_ORIGIN, person.id, { confirmEmail: person.email });
        const mail = await receiveReport(verp, vars, erasingAfterTheCheck(storage, erase), kind === 'delay');
        keptNothing(mail, { id: entry.id, ticketId: ticket.id });
        assert.deepEqual(await tracesIn(storage, [person.email, person.name]), []);
        const after = await storage.outbox.findOutboxEntry(entry.id);
        assert.deepEqual([after?.status, after?.lastReply], ['failed', DELIVERY_SENTENCES.ERASED]);
        assert.equal(await bouncedHooks(), 0);
      });
    }
  });
}
