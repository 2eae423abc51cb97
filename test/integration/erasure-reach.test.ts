/**
 * Erasure reaches what names the person beyond their own tickets and current address, on SQLite and PostgreSQL: the
 * mail to other people that quotes their messages (`${HISTORY}`), the webhook deliveries about mail to them on a
 * ticket they were only copied on, what they left under an address they had before, and a mail of theirs a reviewer
 * made their own message. Each case erases its own requester and scans every column of every table for them; the
 * database is read directly.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { DELIVERY_SENTENCES } from '../../src/domain/notifications/delivery-results.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { mailWebhooks } from '../../src/domain/webhooks/mail-webhooks.ts';
import { rawMail, storeMail } from '../support/stored-mail.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';

const MINUTE = 60_000;

for (const database of [sqliteMemory, postgres]) {
  describe(`erasure beyond the person's own tickets and address, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let clock: TestClock;
    let deps: Deps;
    let w: World;
    let app: FastifyInstance;
    let admin: Client;
    let tech: Client;

    /** A requester who can sign in. */
    async function requester(email: string, name: string) {
      const id = (await createUser(deps, CLI_ORIGIN, { role: 'requester', email, name, password: TEST_PASSWORD })).id;
      return { id, client: await signIn(app, email) };
    }

    /**
     * What a dispatcher does with the mail due: the mail to the `refused` fails (550 naming the address), the rest is
     * sent; the `mail.*` webhooks are queued with the outcomes.
     */
    async function sendQueued(refused: readonly string[] = []) {
      const now = clock.now();
      const claimed = await storage.outbox.claimOutbox({
        now: new Date(now.getTime() + MINUTE).toISOString(),
        leaseUntil: new Date(now.getTime() + 10 * MINUTE).toISOString(),
        token: 'reach',
        limit: 100,
      });
      const at = now.toISOString();
      const outcomeOf = (to: string) =>
        refused.includes(to)
          ? { status: 'failed' as const, at, reply: `550 5.1.1 <${to}>: mailbox unavailable`, nextAttemptAt: null }
          : { status: 'sent' as const, at, reply: '250 2.0.0 ok', nextAttemptAt: null };
      await storage.outbox.finishOutboxAttempts(
        'reach',
        claimed.map((e) => ({ id: e.id, outcome: outcomeOf(e.toAddress) })),
      );
      const report = await mailWebhooks(
        deps,
        claimed.map((e) => e.id),
      );
      const hooks = claimed.flatMap((e) => {
        const { status, reply } = outcomeOf(e.toAddress);
        return report?.(e.id, { event: status === 'sent' ? 'mail.sent' : 'mail.failed', at, reply }) ?? [];
      });
      await storage.webhooks.queueWebhookDeliveries(hooks, at);
    }

    const processing = () => ({
      ...deps,
      mailParser: new MailparserMailParser(),
      policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
    });

    /** A mail from `from` to the support mailbox, stored as received (`envelopeFrom` null: fetched over IMAP). */
    async function mailFrom(from: string, lines: readonly string[], envelopeFrom: string | null) {
      return storeMail(deps, rawMail([`From: ${from}`, 'To: help@desk.example.test', ...lines]), {
        from: envelopeFrom,
        to: envelopeFrom === null ? [] : ['help@desk.example.test'],
        remoteAddress: envelopeFrom === null ? 'imap:imap.example.test' : '192.0.2.9',
      });
    }

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      deps = testDeps(storage, clock);
      w = await buildWorld(deps);
      await endpointForEveryEvent(deps);
      app = await testApp(deps);
      admin = await signIn(app, w.admin.email);
      tech = await signIn(app, w.techA.email);
      // Group A mails each person it copies apart: a copy gets mail addressed to them on someone else's ticket.
      const mode = await admin.patch(`/api/v1/admin/groups/${w.groupA}`, { copiesMode: 'separate' });
      assert.equal(mode.statusCode, 200, mode.body);
    });

    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    // threat: An erased requester leaves no name, address, text, attachment or raw mail behind; the thread keeps that messages existed.
    it("erases the mail that quotes a copy's message to others, and the webhooks of mail to them on that ticket", async () => {
      const NAME = 'Quitéria Albuquerque';
      const EMAIL = 'quiteria.albuquerque@example.org';
      const TEXT = 'My locker code is LOCKER-48213.';
      const ticket = w.ticketA; // requester A's
      const mailsOfTicket = () =>
        storage.kyselyInstance
          .selectFrom('outbox_entry')
          .select(['id', 'message_id', 'to_address', 'text', 'status', 'last_reply'])
          .where('ticket_id', '=', ticket.id)
          .orderBy('id')
          .execute();
      // A mail on the ticket before they were part of it: it never quotes them.
      clock.advance(MINUTE);
      const early = await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Reply EARLIER-11803.' });
      assert.equal(early.statusCode, 201, early.body);
      await sendQueued();
      const earlier = (await mailsOfTicket()).map((m) => m.id);

      const person = await requester(EMAIL, NAME);
      clock.advance(MINUTE);
      const copied = await tech.put(`/api/v1/tickets/${ticket.number}/copies`, { copies: [{ email: EMAIL }] });
      assert.equal(copied.statusCode, 200, copied.body);
      clock.advance(MINUTE);
      const posted = await person.client.post(`/api/v1/tickets/${ticket.number}/messages`, { text: TEXT });
      assert.equal(posted.statusCode, 201, posted.body);
      // Staff answer: the mail to requester A quotes them (name and text); the mails to them and, this once, to
      // requester A are refused.
      clock.advance(MINUTE);
      assert.equal((await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'On it.' })).statusCode, 201);
      await sendQueued([EMAIL, w.requesterA.email]);
      clock.advance(MINUTE);
      assert.equal((await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Done.' })).statusCode, 201);
      // Three more answers: the last one's history (the 3 messages before it) no longer quotes them.
      for (const text of ['Step ONE-2201.', 'Step TWO-2202.', 'Step THREE-2203.']) {
        clock.advance(MINUTE);
        assert.equal((await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text })).statusCode, 201);
      }
      const unquoting = (await mailsOfTicket()).filter(
        (m) => m.to_address === w.requesterA.email && m.text.includes('THREE-2203'),
      );
      assert.equal(unquoting.length, 1);
      assert.ok(!unquoting[0]!.text.includes(NAME), 'its history is the three answers before it');
      // The mails of staff messages (not theirs) to requester A quote them.
      const quoting = (await mailsOfTicket()).filter(
        (m) =>
          m.to_address === w.requesterA.email && m.message_id !== posted.json().message.id && m.text.includes(TEXT),
      );
      assert.equal(quoting.length, 3, '"On it.", "Done." and "Step ONE"');
      assert.ok(quoting.every((m) => m.text.includes(NAME)));
      const present = await tracesIn(storage, [EMAIL]);
      assert.ok(present.includes(`webhook_delivery.body: ${EMAIL}`), present.join('\n'));

      const erased = await admin.post(`/api/v1/admin/users/${person.id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.deepEqual(
        await tracesIn(storage, [NAME, EMAIL, 'Quitéria', 'Albuquerque', 'quiteria', 'LOCKER-48213', '48213']),
        [],
      );
      // The mail that quoted them keeps its recipient, without its text; the one not sent yet will not be, and the
      // one that had failed is never sent again (retried, or to a corrected address), empty.
      const later = new Map((await mailsOfTicket()).map((m) => [m.id, m]));
      for (const { id } of quoting) {
        const m = later.get(id)!;
        assert.equal(m.to_address, w.requesterA.email);
        assert.equal(m.text, '');
        assert.deepEqual([m.status, m.last_reply], ['failed', DELIVERY_SENTENCES.ERASED]);
        const retried = await admin.post(`/api/v1/admin/outbox/${id}/retry`, {});
        assert.equal(retried.statusCode, 409, retried.body);
        assert.equal(retried.json().code, 'OUTBOX_NOT_RETRYABLE');
        const resent = await tech.post(`/api/v1/tickets/${ticket.number}/mails/${id}/resend`, {
          email: 'a.corrected@example.org',
        });
        assert.equal(resent.statusCode, 409, resent.body);
      }
      // A report of a bounce arriving later changes nothing: the mail stays emptied, never to be sent again.
      assert.equal(
        await storage.outbox.recordOutboxBounce(quoting[0]!.id, clock.now().toISOString(), '550 gone'),
        false,
      );
      assert.deepEqual((await storage.outbox.findOutboxEntry(quoting[0]!.id))!.lastReply, DELIVERY_SENTENCES.ERASED);
      // The mail from before they wrote there, and the one after that no longer quotes them, keep their text; the
      // staff's messages stay in the thread.
      assert.ok(earlier.every((id) => later.get(id)!.text.includes('EARLIER-11803')));
      assert.ok(later.get(unquoting[0]!.id)!.text.includes('THREE-2203'));
      assert.equal(later.get(unquoting[0]!.id)!.status, 'queued', 'still to be sent');
      const thread = (await tech.get(`/api/v1/tickets/${ticket.number}/messages`)).json().items as { text: string }[];
      assert.ok(thread.some((m) => m.text === 'On it.') && thread.some((m) => m.text === 'Done.'));
    });

    it('erases what they left under an earlier address, and keeps in the audit log that it changed', async () => {
      const OLD = 'ernesta.vilalobos@example.org';
      const NEW = 'e.v@example.net';
      const person = await requester(OLD, 'Ernesta Vilalobos');
      // Under the earlier address: a mistyped password, and a mail that proves nothing, held for review.
      const mistyped = await anonymous(app).post('/api/v1/auth/login', { email: OLD, password: 'not the password' });
      assert.equal(mistyped.statusCode, 401);
      const id = await mailFrom(
        `"Ernesta Vilalobos" <${OLD}>`,
        [
          'Subject: Locker HELD-70215',
          `Message-ID: <reach.${database.name}.1@mail.example.org>`,
          '',
          'Please open locker HELD-70215.',
        ],
        OLD,
      );
      const held = await processInboundMail(
        { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
        id,
      );
      assert.equal(held?.status, 'held', JSON.stringify(held));
      // Then they change their address, and an administrator their name.
      const moved = await person.client.put('/api/v1/me/email', { currentPassword: TEST_PASSWORD, email: NEW });
      assert.equal(moved.statusCode, 200, moved.body);
      const renamed = await admin.patch(`/api/v1/admin/users/${person.id}`, { name: 'Ernesta V.' });
      assert.equal(renamed.statusCode, 200, renamed.body);
      // An administrator once named the earlier address on a line of its own in a template, since deleted: the audit
      // log keeps it as JSON, where the line break before it is written as a backslash and an `n`.
      const template = await admin.post('/api/v1/admin/email-templates', {
        name: 'Escalations',
        subject: 'Escalations',
        html: `<p>Escalate to:\n${OLD}</p>`,
      });
      assert.equal(template.statusCode, 201, template.body);
      assert.equal((await admin.delete(`/api/v1/admin/email-templates/${template.json().id}`)).statusCode, 204);
      // A webhook delivery naming the earlier address only on a line of its own (a held mail's subject decoded from
      // an encoded word may hold a line break), on no ticket of theirs: found in the JSON's strings, not its text.
      const [endpoint] = await storage.webhooks.listWebhookEndpoints();
      await storage.webhooks.queueWebhookDeliveries(
        [
          {
            endpointId: endpoint!.id,
            eventId: `reach-${database.name}-line-break`,
            event: 'inbound.held',
            ticketId: null,
            body: JSON.stringify({ event: 'inbound.held', mail: { from: 'x@other.example', subject: `Fwd:\n${OLD}` } }),
          },
        ],
        clock.now().toISOString(),
      );
      const traces = [OLD, NEW, 'Vilalobos', 'Ernesta', 'HELD-70215'];
      const present = await tracesIn(storage, traces);
      for (const where of ['inbound_mail.raw', 'sign_in_failure.key', 'webhook_delivery.body', 'audit_entry.changes'])
        assert.ok(present.includes(`${where}: ${OLD}`), `${where}\n${present.join('\n')}`);

      const erased = await admin.post(`/api/v1/admin/users/${person.id}/erase`, { confirmEmail: NEW });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(erased.json().inboundMails, 1, 'the mail from the earlier address');
      assert.deepEqual(await tracesIn(storage, traces), []);
      assert.equal((await admin.get('/api/v1/inbound-mail?status=held')).json().items.length, 0);
      // The log still says that their address and name changed, and when; not what they were.
      const audit = (await admin.get(`/api/v1/admin/audit?targetType=user&targetId=${person.id}`)).json().items as {
        action: string;
        at: string;
        changes: { field: string; withheld?: string }[];
      }[];
      const edits = audit.filter((e) => e.action === 'user.edit');
      assert.deepEqual(
        edits.flatMap((e) => e.changes).sort((a, b) => a.field.localeCompare(b.field)),
        [
          { field: 'email', withheld: 'erased' },
          { field: 'name', withheld: 'erased' },
        ],
      );
    });

    // threat: A held mail of a requester attached by a reviewer to a ticket as the reviewer's own message
    it("erases a held mail of theirs a reviewer attached to another's ticket as a public note, and the mail quoting it", async () => {
      const NAME = 'Olegária Mendonça';
      const EMAIL = 'olegaria.mendonca@example.org';
      const person = await requester(EMAIL, NAME);
      // A mail of theirs that proves nothing is held; a reviewer attaches it to requester B's ticket, for B to read.
      const id = await mailFrom(
        `"${NAME}" <${EMAIL}>`,
        [
          'Subject: About the printer',
          `Message-ID: <reach.${database.name}.note@mail.example.org>`,
          '',
          'My PIN is NOTE-60441.',
        ],
        EMAIL,
      );
      assert.equal((await processInboundMail(processing(), id))?.status, 'held');
      const ticket = w.ticketB;
      clock.advance(MINUTE);
      const attached = await admin.post(`/api/v1/inbound-mail/${id}/attach`, {
        ticketNumber: ticket.number,
        internal: false,
      });
      assert.equal(attached.statusCode, 200, attached.body);
      const noteId = attached.json().message.id as number;
      // A later answer to requester B quotes the note in its history (under the reviewer's name, not theirs).
      clock.advance(MINUTE);
      const answer = await admin.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Noted ANSWER-3317.' });
      assert.equal(answer.statusCode, 201, answer.body);
      await sendQueued();
      const traces = [NAME, EMAIL, 'Olegária', 'Mendonça', 'olegaria', 'NOTE-60441', '60441'];
      const present = await tracesIn(storage, traces);
      for (const where of ['ticket_message.text', 'outbox_entry.text'])
        assert.ok(present.includes(`${where}: NOTE-60441`), `${where}\n${present.join('\n')}`);

      const erased = await admin.post(`/api/v1/admin/users/${person.id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.deepEqual(await tracesIn(storage, traces), []);
      // The thread keeps the reviewer's message, removed as theirs would be, and the answer after it.
      const thread = (await admin.get(`/api/v1/tickets/${ticket.number}/messages`)).json().items as {
        id: number;
        text: string;
        removed: boolean;
        author: { id: number };
      }[];
      const note = thread.find((m) => m.id === noteId);
      assert.deepEqual([note?.author.id, note?.removed, note?.text], [w.admin.id, true, '']);
      assert.ok(thread.some((m) => m.text === 'Noted ANSWER-3317.' && !m.removed));
    });

    // threat: A mail of a requester received but not yet processed when they are erased
    it('erases the mail from them still waiting to be processed, by the sender headers of its original', async () => {
      const NAME = 'Perpétua Sarmento';
      const EMAIL = 'perpetua.sarmento@example.org';
      const person = await requester(EMAIL, NAME);
      // Fetched over IMAP (no envelope sender), not processed yet: the ingestor is down, or behind.
      const own = await mailFrom(
        `"${NAME}" <${EMAIL}>`,
        [
          'Subject: My payslip',
          `Message-ID: <reach.${database.name}.waiting@mail.example.org>`,
          '',
          'IBAN WAIT-80552.',
        ],
        null,
      );
      // Sent for them by a list, which names them as its sender (folded) and as the address to answer.
      const listed = await mailFrom(
        'Team list <team@lists.example.org>',
        [
          'Sender:',
          ` "${NAME}"`,
          ` <${EMAIL.toUpperCase()}>`,
          `Reply-To: ${EMAIL}`,
          'Subject: For the list',
          '',
          'Locker WAIT-80553.',
        ],
        null,
      );
      const traces = [NAME, EMAIL, 'Perpétua', 'Sarmento', 'perpetua', 'WAIT-80552', 'WAIT-80553'];
      assert.ok((await tracesIn(storage, traces)).includes(`inbound_mail.raw: WAIT-80552`));

      const erased = await admin.post(`/api/v1/admin/users/${person.id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(erased.json().inboundMails, 2, erased.body);
      assert.deepEqual(await tracesIn(storage, traces), []);
      // Processing them later (the ingestor back, its sweep) finds them decided: nothing is parsed, held or opened.
      assert.deepEqual(await storage.inbound.pendingInboundMail(new Date().toISOString(), 100), []);
      for (const id of [own, listed]) {
        const done = await processInboundMail(processing(), id);
        assert.deepEqual([done?.status, done?.fromAddress, done?.ticketId], ['discarded', null, null]);
      }
      assert.deepEqual(await tracesIn(storage, traces), []);
      assert.equal((await admin.get('/api/v1/inbound-mail?status=held')).json().items.length, 0);
    });

    it('erases from the audit log the name of their API token an administrator revoked', async () => {
      const NAME = 'Ifigénia Barros';
      const EMAIL = 'ifigenia.barros@example.org';
      const person = await requester(EMAIL, NAME);
      const made = await person.client.post('/api/v1/me/tokens', { name: `Laptop of ${NAME}` });
      assert.equal(made.statusCode, 201, made.body);
      const revoked = await admin.delete(`/api/v1/admin/users/${person.id}/tokens/${made.json().id}`);
      assert.equal(revoked.statusCode, 204, revoked.body);
      const traces = [NAME, EMAIL, 'Ifigénia', 'Barros', 'ifigenia'];
      assert.ok((await tracesIn(storage, traces)).includes('audit_entry.target_label: Barros'));

      const erased = await admin.post(`/api/v1/admin/users/${person.id}/erase`, { confirmEmail: EMAIL });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.deepEqual(await tracesIn(storage, traces), []);
      // The log still says that an administrator revoked a token of that user, and when.
      const audit = (await admin.get(`/api/v1/admin/audit?targetType=api-token&targetId=${made.json().id}`)).json()
        .items as { action: string; actorId: number; targetLabel: string | null }[];
      assert.deepEqual(
        audit.map((e) => [e.action, e.actorId, e.targetLabel]),
        [
          ['token.revoke', w.admin.id, null],
          ['token.create', person.id, null],
        ],
      );
    });
  });
}
