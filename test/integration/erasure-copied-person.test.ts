/**
 * Erasing a person that others' notifications copied (Cc): the mail keeps going to its recipient without them; the
 * servers' replies that named them (a copy refused at RCPT TO) name the pseudonym instead; the delivery reports about
 * those mails that named them are erased with the rest, those that did not are kept; a report arriving later keeps no
 * original and names only the recipients the mail still has, marking it only when its recipient failed; and so does
 * one checked just before the erasure and recorded after it. Mail through a real SMTP server, SQLite and PostgreSQL,
 * every table read directly.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import type { OutboxEntry } from '../../src/domain/notifications/outbox-entry.ts';
import { reportQuotingErasedText } from '../../src/domain/inbound/report-on-erased-mail.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { endpointForEveryEvent, erasingAfterTheCheck, tracesIn } from '../support/erasure-traces.ts';
import { mailApp, type MailApp } from '../support/mail-app.ts';
import { trustedInbound } from '../support/trusted-inbound.ts';

const NINA = { email: 'nina.copied@partner.example', name: 'Nina Copiada' };
const OTTO = { email: 'otto.copied@partner.example', name: 'Otto Kopiert' };
const PIA = { email: 'pia.copied@partner.example', name: 'Pia Kopioitu' };

/** The recipient block of the fixture's report, for `address`, failed. */
const failedBlock = (address: string) =>
  `Final-Recipient: rfc822; ${address}\r\nAction: failed\r\nStatus: 5.1.1\r\n` +
  `Diagnostic-Code: smtp; 550 5.1.1 <${address}>: User unknown\r\n\r\n`;

/** Sends delivery reports about the scene's notifications to their signed bounce addresses and processes them. */
function reporter(scene: MailApp, name: string) {
  const { deps, storage, world } = scene;
  const inbound = trustedInbound(deps);
  let counter = 0;
  /** A delivery report about `entry` to its signed bounce address, failing for `recipient` (more blocks: `also`). */
  return async (
    entry: OutboxEntry,
    recipient: string,
    options: { also?: string[]; messageId?: string; through?: SqlStorage; delayed?: boolean; to?: string } = {},
  ): Promise<InboundMail> => {
    const to = options.to ?? bounceAddress(deps.signer, deps.site.mailDomain, entry.id);
    let text = eml('dsn-postfix', {
      TO: to,
      MESSAGE_ID: options.messageId ?? `<copied.${++counter}.${name}@mx.example.net>`,
      FAILED_RECIPIENT: recipient,
      TICKET: world.ticketA.number,
      ORIGINAL_MESSAGE_ID: entry.messageIdHeader,
    }).toString('latin1');
    if (options.delayed)
      text = text.replace('Action: failed', 'Action: delayed').replace('Status: 5.1.1', 'Status: 4.4.1');
    for (const address of options.also ?? [])
      text = text.replace('Final-Recipient:', `${failedBlock(address)}Final-Recipient:`);
    const raw = Buffer.from(text, 'latin1');
    const id = await receiveMail(deps, {
      raw,
      sha256: createHash('sha256').update(raw).digest('hex'),
      envelopeFrom: '',
      envelopeTo: [to],
      remoteAddress: '192.0.2.25',
    });
    return (await processInboundMail({ ...inbound, storage: options.through ?? storage }, id))!;
  };
}

/** A notification of ticket A posted by its technician with `copy` in its Cc, and sent. */
async function mailCopying(scene: MailApp, copy: { email: string; name: string }): Promise<OutboxEntry> {
  const tech = await scene.signIn(scene.world.techA.email);
  const number = scene.world.ticketA.number;
  const copies = await tech.put(`/api/v1/tickets/${number}/copies`, { copies: [copy] });
  assert.equal(copies.statusCode, 200, copies.body);
  const posted = await tech.post(`/api/v1/tickets/${number}/messages`, { text: 'Racing update.' });
  assert.equal(posted.statusCode, 201, posted.body);
  await scene.deliver();
  return (await scene.storage.outbox.outboxOfMessages([posted.json().message.id]))[0]!;
}

/**
 * Whether `work` is seen waiting for a lock held by another transaction of this database (PostgreSQL), in a statement
 * whose text is `like` the pattern given, before it ends; false when it ended without being seen waiting.
 */
async function waitsForLock(storage: SqlStorage, work: Promise<unknown>, like: string): Promise<boolean> {
  let settled = false;
  void work.then(
    () => (settled = true),
    () => (settled = true),
  );
  for (;;) {
    const waiting = await sql<{ n: number }>`select 1 as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock' and query like ${like}`.execute(
      storage.kyselyInstance,
    );
    if (waiting.rows.length > 0) return true;
    if (settled) return false;
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}

/** `storage`, whose transactions run `whileLocked` right after a report's read of its mail (under the mail's lock). */
function pausedAfterReportLock(storage: SqlStorage, whileLocked: () => Promise<void>): SqlStorage {
  const bound = <T extends object>(target: T, key: string | symbol) => {
    const value = Reflect.get(target, key) as unknown;
    return typeof value === 'function' ? value.bind(target) : value;
  };
  const pausing = (tx: SqlStorage) =>
    new Proxy(tx, {
      get(target, key) {
        if (key !== 'outbox') return bound(target, key);
        return new Proxy(target.outbox, {
          get(outbox, name) {
            if (name !== 'outboxEntryForReport') return bound(outbox, name);
            return async (id: number) => {
              const entry = await outbox.outboxEntryForReport(id);
              await whileLocked();
              return entry;
            };
          },
        });
      },
    });
  return new Proxy(storage, {
    get(target, key) {
      if (key !== 'transaction') return bound(target, key);
      return <T>(work: (tx: SqlStorage) => Promise<T>) => target.transaction((tx) => work(pausing(tx as SqlStorage)));
    },
  });
}

for (const database of [sqliteMemory, postgres]) {
  describe(`erasing a person other people's mail copied, on ${database.name}`, () => {
    // threat: An erasure of a person copied (Cc) on other people's notifications
    it('takes them out of the Cc, the servers’ replies and the reports, now and later, and marks only what failed for its recipient', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { deps, storage, world, sink } = scene;
      await endpointForEveryEvent(deps);
      const report = reporter(scene, database.name);
      const bouncedHooks = async () =>
        (
          await storage.kyselyInstance
            .selectFrom('webhook_delivery')
            .select('body')
            .where('event', '=', 'mail.bounced')
            .execute()
        ).map((r) => r.body);
      const entryOf = async (messageId: number) => (await storage.outbox.outboxOfMessages([messageId]))[0]!;
      try {
        const tech = await scene.signIn(world.techA.email);
        const number = world.ticketA.number;
        const copies = await tech.put(`/api/v1/tickets/${number}/copies`, { copies: [NINA, OTTO, PIA] });
        assert.equal(copies.statusCode, 200, copies.body);
        const post = async (text: string) => {
          const posted = await tech.post(`/api/v1/tickets/${number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          return entryOf(posted.json().message.id);
        };

        // Before the erasure: a mail whose server refused Nina at RCPT TO (its reply names her twice) ...
        sink.rejectRecipient(NINA.email);
        const refused = await post('Please restart the printer.');
        await scene.deliver();
        sink.accept();
        const sentRefused = (await storage.outbox.findOutboxEntry(refused.id))!;
        assert.equal(sentRefused.status, 'sent');
        assert.match(sentRefused.lastReply ?? '', /refused: nina\.copied@partner\.example: 550 5\.1\.1 <nina\.copied@/);
        // ... and one that reached everyone, then a report failing for Nina (it names her), and a delay report for
        // the requester (it does not).
        const reached = await post('Second update.');
        await scene.deliver();
        const aboutNina = await report(reached, NINA.email);
        assert.match(aboutNina.reasonText ?? '', /nina\.copied@partner\.example \(in its Cc\) only/);
        const delay = await report(reached, world.requesterA.email, { delayed: true });
        assert.match(delay.reasonText ?? '', /not a failure/);

        const nina = (await storage.people.findUserByEmail(NINA.email))!;
        await eraseRequester(deps, CLI_ORIGIN, nina.id, { confirmEmail: NINA.email });
        const traces = [NINA.email, NINA.name];
        assert.deepEqual(await tracesIn(storage, traces), []);
        const pseudonym = (await storage.people.findUserById(nina.id))!.email;
        const afterRefused = (await storage.outbox.findOutboxEntry(refused.id))!;
        assert.deepEqual(
          afterRefused.cc.map((c) => c.address),
          [OTTO.email, PIA.email],
        );
        assert.ok(
          afterRefused.lastReply?.includes(`refused: ${pseudonym}: 550 5.1.1 <${pseudonym}>`),
          afterRefused.lastReply!,
        );
        assert.ok(
          afterRefused.attempts.some((a) => a.reply?.includes(pseudonym)),
          'the attempt’s reply too',
        );
        assert.ok(afterRefused.ccErasedAt, 'marked');
        assert.equal((await storage.inbound.findInboundMail(aboutNina.id))?.size, 0, 'the report naming her is erased');
        const keptDelay = (await storage.inbound.findInboundMail(delay.id))!;
        assert.ok(keptDelay.size > 0, 'the one about the requester alone is kept');
        assert.equal(keptDelay.reasonText, delay.reasonText);

        // After: a report failing for her alone keeps nothing of her, and leaves the mail as it was (it reached its
        // recipient); one without the mail's Message-ID, to its signed bounce address, too.
        const late = await report(afterRefused, NINA.email);
        assert.deepEqual([late.status, late.size], ['bounce', 0], late.reasonText ?? '');
        assert.equal(late.reasonText, reportQuotingErasedText(refused.id, 'not-marked'));
        const vague = await report({ ...afterRefused, messageIdHeader: '<elsewhere.7@mx.example.net>' }, NINA.email);
        assert.deepEqual([vague.status, vague.size], ['bounce', 0], vague.reasonText ?? '');
        assert.equal((await storage.outbox.findOutboxEntry(refused.id))!.status, 'sent');
        assert.deepEqual(await bouncedHooks(), []);

        // A report failing for the requester and for her marks the mail failed, naming the requester only; a copy of it
        // (the same Message-ID) keeps nothing either.
        const both = await report(afterRefused, world.requesterA.email, {
          also: [NINA.email],
          messageId: '<both@mx.example.net>',
        });
        // Its reason names no one: an address in an erased mail would never be found again.
        assert.deepEqual(
          [both.status, both.size, both.reasonText],
          ['bounce', 0, reportQuotingErasedText(refused.id, 'marked')],
        );
        const failed = (await storage.outbox.findOutboxEntry(refused.id))!;
        assert.equal(failed.status, 'failed');
        assert.match(
          failed.lastReply ?? '',
          new RegExp(`to ${world.requesterA.email}.*and 1 no longer among its recipients`),
        );
        const hooks = await bouncedHooks();
        assert.equal(hooks.length, 1);
        assert.match(hooks[0]!, new RegExp(world.requesterA.email));
        const copy = await report(afterRefused, world.requesterA.email, {
          also: [NINA.email],
          messageId: '<both@mx.example.net>',
        });
        assert.deepEqual([copy.status, copy.size], ['duplicate', 0]);
        assert.equal((await bouncedHooks()).length, 1, 'marked once');
        // One that cannot be verified (to the support address) naming the mail's Message-ID: not held with its
        // original either.
        const unverified = await report(afterRefused, NINA.email, { to: 'help@desk.example.test' });
        assert.deepEqual(
          [unverified.status, unverified.reason, unverified.size, unverified.reasonText],
          ['bounce', 'unverified-bounce', 0, reportQuotingErasedText(refused.id, 'unverified')],
        );
        assert.deepEqual(await tracesIn(storage, traces), []);

        // A mail being sent when Pia is erased: its dispatcher's outcome (naming her, refused) is not recorded, and it
        // is sent again without her.
        const pia = (await storage.people.findUserByEmail(PIA.email))!;
        const fourth = await post('Fourth update.');
        const at = new Date().toISOString();
        const claimed = await storage.outbox.claimOutbox({
          now: at,
          leaseUntil: '2999-01-01T00:00:00.000Z',
          token: 'in-flight',
          limit: 10,
        });
        assert.deepEqual(
          claimed.map((e) => e.id),
          [fourth.id],
        );
        await eraseRequester(deps, CLI_ORIGIN, pia.id, { confirmEmail: PIA.email });
        const outcome = {
          status: 'sent' as const,
          at,
          nextAttemptAt: null,
          reply: `250 OK (refused: ${PIA.email}: 550 no such user)`,
        };
        assert.deepEqual(await storage.outbox.finishOutboxAttempts('in-flight', [{ id: fourth.id, outcome }]), []);
        const requeued = (await storage.outbox.findOutboxEntry(fourth.id))!;
        assert.deepEqual([requeued.status, requeued.attempts.at(-1)?.result], ['queued', 'interrupted']);
        await scene.deliver();
        assert.equal((await storage.outbox.findOutboxEntry(fourth.id))!.status, 'sent');
        assert.deepEqual(sink.accepted.at(-1)!.envelope.rcptTo, [world.requesterA.email, OTTO.email]);
        assert.deepEqual(await tracesIn(storage, [PIA.email, PIA.name, ...traces]), []);

        // A report failing for Otto, checked before his erasure and recorded after it: what it records is decided on
        // the mail as the erasure left it.
        const otto = (await storage.people.findUserByEmail(OTTO.email))!;
        const third = await post('Third update.');
        await scene.deliver();
        const racing = await report(third, OTTO.email, {
          through: erasingAfterTheCheck(storage, () =>
            eraseRequester(deps, CLI_ORIGIN, otto.id, { confirmEmail: OTTO.email }),
          ),
        });
        assert.deepEqual([racing.status, racing.size], ['bounce', 0], racing.reasonText ?? '');
        assert.equal(racing.reasonText, reportQuotingErasedText(third.id, 'not-marked'));
        assert.equal((await storage.outbox.findOutboxEntry(third.id))!.status, 'sent');
        assert.deepEqual(await tracesIn(storage, [OTTO.email, OTTO.name, PIA.email, PIA.name, ...traces]), []);
      } finally {
        await scene.close();
      }
    });

    // PostgreSQL only: SQLite runs one write transaction at a time, so a report's and an erasure's cannot overlap.
    if (database.name === 'postgres')
      it('a report recorded while an erasure holds the mail waits for it, then keeps nothing of the person', async () => {
        const scene = await mailApp(database, { shippedTemplate: true });
        const { storage } = scene;
        const report = reporter(scene, database.name);
        const db = storage.kyselyInstance;
        try {
          const entry = await mailCopying(scene, OTTO);

          // The erasure's transaction, as `eraseFromCc` runs it: the mail read for update, then its Cc edited; it has
          // not committed when the report about Otto comes to be recorded.
          let release = () => {};
          const released = new Promise<void>((resolve) => (release = resolve));
          let locked = () => {};
          const holding = new Promise<void>((resolve) => (locked = resolve));
          const erasure = db.transaction().execute(async (tx) => {
            await tx.selectFrom('outbox_entry').select('id').where('id', '=', entry.id).forUpdate().execute();
            await tx
              .updateTable('outbox_entry')
              .set({ cc: null, cc_erased_at: new Date().toISOString() })
              .where('id', '=', entry.id)
              .execute();
            locked();
            await released;
          });
          await holding;
          const racing = report(entry, OTTO.email);
          assert.equal(
            await waitsForLock(storage, racing, '%outbox_entry%for share%'),
            true,
            'the report did not wait for the erasure',
          );
          release();
          await erasure;
          const recorded = await racing;
          assert.deepEqual([recorded.status, recorded.size], ['bounce', 0], recorded.reasonText ?? '');
          assert.equal(recorded.reasonText, reportQuotingErasedText(entry.id, 'not-marked'));
          assert.equal((await storage.outbox.findOutboxEntry(entry.id))!.status, 'sent');
          // Otto himself is not erased here (only his mail's Cc was edited): nothing but his account names him.
          assert.deepEqual(await tracesIn(storage, [OTTO.email]), [`app_user.email: ${OTTO.email}`]);
        } finally {
          await scene.close();
        }
      });

    if (database.name === 'postgres')
      it('an erasure that starts while a report is recorded waits for it, keeps the failure it marked, and erases what named the person', async () => {
        const scene = await mailApp(database, { shippedTemplate: true });
        const { deps, storage } = scene;
        const report = reporter(scene, database.name);
        try {
          const entry = await mailCopying(scene, OTTO);
          const otto = (await storage.people.findUserByEmail(OTTO.email))!;
          let erasure: Promise<unknown> | undefined;
          // The report's transaction has read the mail (Otto still in its Cc) under its lock when the erasure starts.
          // It fails for the requester and for Otto, so it marks the mail failed: the erasure's edit must not undo that.
          const recorded = await report(entry, scene.world.requesterA.email, {
            also: [OTTO.email],
            through: pausedAfterReportLock(storage, async () => {
              erasure = eraseRequester(deps, CLI_ORIGIN, otto.id, { confirmEmail: OTTO.email });
              assert.equal(
                await waitsForLock(storage, erasure, '%outbox_entry%for update%'),
                true,
                'the erasure did not wait for the report',
              );
            }),
          });
          assert.equal(recorded.status, 'bounce', recorded.reasonText ?? '');
          await erasure;
          const failed = (await storage.outbox.findOutboxEntry(entry.id))!;
          assert.equal(failed.status, 'failed');
          assert.match(failed.lastReply ?? '', new RegExp(`to ${scene.world.requesterA.email}`));
          assert.deepEqual(failed.cc, []);
          assert.equal(
            (await storage.inbound.findInboundMail(recorded.id))?.size,
            0,
            'the report naming him is erased',
          );
          assert.deepEqual(await tracesIn(storage, [OTTO.email, OTTO.name]), []);
        } finally {
          await scene.close();
        }
      });
  });
}
