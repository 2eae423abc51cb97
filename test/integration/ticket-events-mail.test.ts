/**
 * Issue 16, items 2 and 4: the ticket moves when the requester does, and the mails of a ticket's other events. A
 * requester's message (portal or mail) moves a waiting or resolved ticket back to in progress (parameters 9020,
 * 9021); a closed ticket refuses it (409 TICKET_CLOSED in the API; by mail the reply is not posted and the sender gets
 * the closed-ticket notice, never twice in a loop). The acknowledgement, "assigned to you" and "new request in your
 * team" go through the templates parameters 9022–9024 name, and nothing goes while a parameter is empty. Every mail
 * is delivered by the dispatcher to a real SMTP server and read back with mailparser. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { simpleParser, type ParsedMail } from 'mailparser';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { loadConfig, type Config } from '../../src/config/config.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { createTemplate } from '../../src/domain/templates/create-template.ts';
import { DEFAULT_EVENT_TEMPLATES } from '../../src/domain/templates/default-event-templates.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { createLogger, dispatchPolicy } from '../../src/main.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { verified } from '../support/sender.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, TestClock, testDeps, type World } from '../support/fixtures.ts';
import { signIn, type Client } from '../support/http.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

const POLICY = dispatchPolicy(
  loadConfig(
    {
      PARLEY_SECRET_KEY: 'test-secret-key-that-is-long-enough-for-parley',
      PARLEY_DATA_DIR: '/nonexistent/parley-event-mail-test',
      PARLEY_MAIL_CATCHER: 'off',
    },
    { readDotEnv: false },
  ),
);

let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`ticket events and their mails, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let world: World;
    let app: FastifyInstance;
    let sink: SmtpSink;
    let transports: NodemailerMailTransports;
    let admin: Client;
    let tech: Client;
    let requester: Client;
    const templates: Record<string, number> = {};

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 5000,
      });
      sink = await SmtpSink.start();
      world = await buildWorld(deps);
      await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        from: 'desk@example.test',
        fromName: 'Service Desk',
      });
      app = await buildApp(deps, {
        logger: createLogger({ logLevel: 'silent' } as Config, { write: () => {} }),
        mail: { transports, catcher: null },
      });
      admin = await signIn(app, world.admin.email);
      tech = await signIn(app, world.techA.email);
      requester = await signIn(app, world.requesterA.email);
      // The shipped templates: the acknowledgement in pt-BR (requester A's language), the others in en-US.
      templates.acknowledgement = (
        await createTemplate(deps, CLI_ORIGIN, DEFAULT_EVENT_TEMPLATES.acknowledgement['pt-BR'])
      ).id;
      for (const event of ['assigned', 'team-new', 'closed-notice'] as const)
        templates[event] = (await createTemplate(deps, CLI_ORIGIN, DEFAULT_EVENT_TEMPLATES[event]['en-US'])).id;
      await deliver(); // whatever the world queued before: not these tests' mails
    });
    after(async () => {
      await app.close();
      transports.closeAll();
      await sink.close();
      await storage.close();
      await drop();
    });

    const PARAMS = {
      acknowledgement: PARAM.ACKNOWLEDGEMENT_TEMPLATE,
      assigned: PARAM.ASSIGNED_TEMPLATE,
      'team-new': PARAM.TEAM_NEW_TEMPLATE,
      'closed-notice': PARAM.CLOSED_NOTICE_TEMPLATE,
    } as const;
    const setParam = (id: number, value: unknown) => setParameter(deps, CLI_ORIGIN, world.admin, id, value);
    /** Every event's mail switched on (each parameter names its template) or off (empty). */
    async function eventMails(on: boolean) {
      for (const [event, id] of Object.entries(PARAMS)) await setParam(id, on ? templates[event] : null);
    }
    beforeEach(async () => {
      await setParam(PARAM.REOPEN_FROM, 'waiting-and-resolved');
      await setParam(PARAM.REOPEN_TO, 'in_progress');
      await eventMails(true);
    });

    /** Runs the dispatcher and returns what the SMTP server received meanwhile, parsed back. */
    async function deliver(): Promise<{ to: string[]; mail: ParsedMail }[]> {
      const before = sink.accepted.length;
      const batch = await dispatchBatch({ ...deps, transports, random: () => 0.5 }, POLICY);
      assert.equal(batch.failed + batch.deferred, 0, `every mail went out (${JSON.stringify(batch)})`);
      return Promise.all(
        sink.accepted.slice(before).map(async (m) => ({ to: m.envelope.rcptTo, mail: await simpleParser(m.raw) })),
      );
    }
    const to = <M extends { to: string[] }>(mails: M[], who: Actor) => mails.filter((m) => m.to.includes(who.email));

    async function openAsRequester(title: string) {
      const r = await requester.post('/api/v1/tickets', {
        title,
        description: 'Nothing prints.',
        groupId: world.groupA,
      });
      assert.equal(r.statusCode, 201, r.body);
      return r.json() as { number: number };
    }
    const statusOf = async (n: number) => (await tech.get(`/api/v1/tickets/${n}`)).json().status as string;
    const setStatus = async (n: number, status: string) =>
      assert.equal((await tech.patch(`/api/v1/tickets/${n}`, { status })).statusCode, 200);

    /** A reply by mail from requester A, proven by the reply address signed for them. */
    async function replyByMail(n: number, extra: Record<string, string> = {}, text = 'Still broken, sorry.') {
      const address = replyAddress(deps.signer, deps.site.mailDomain, n, world.requesterA.id);
      const raw = mail(
        {
          From: `${world.requesterA.name} <${world.requesterA.email}>`,
          To: address,
          Subject: `Re: [#${n}] Printer`,
          'Message-ID': `<reply${++counter}@partner.example>`,
          Date: new Date().toUTCString(),
          ...extra,
        },
        text,
      );
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: world.requesterA.email,
        envelopeTo: [address],
        remoteAddress: '127.0.0.1',
      });
      return (await processInboundMail(inbound, id))!;
    }
    const messagesOf = async (n: number) => (await tech.get(`/api/v1/tickets/${n}/messages`)).json().items.length;

    it('a new request: the requester gets the acknowledgement in their language, the team the news; nobody else', async () => {
      const ticket = await openAsRequester('Printer offline');
      const mails = await deliver();
      const [ack] = to(mails, world.requesterA);
      assert.ok(ack, 'the requester got the acknowledgement');
      assert.equal(ack.mail.subject, `[#${ticket.number}] Recebemos sua solicitação: Printer offline`);
      assert.match(ack.mail.text!, /Situação: Novo\./, 'the status in the requester’s language');
      assert.match(ack.mail.text!, /Nothing prints\./);
      assert.match(ack.mail.text!, new RegExp(`https://desk\\.example\\.test/portal/tickets/${ticket.number}`));
      assert.equal(ack.mail.headers.get('auto-submitted'), 'auto-generated');
      const [news] = to(mails, world.techA);
      assert.ok(news, "the team's technician got the news");
      assert.equal(news.mail.subject, `[#${ticket.number}] New request in your team: Printer offline`);
      assert.match(news.mail.text!, /nobody is responsible for it yet/);
      assert.match(news.mail.text!, new RegExp(`https://desk\\.example\\.test/desk/tickets/${ticket.number}`));
      assert.equal(mails.length, 2, 'nobody else: not group B, not the admin');
    });

    it('a request opened by mail: the acknowledgement goes to its requester, in the same write as the new ticket', async () => {
      const raw = verified(
        mail(
          {
            From: `${world.requesterA.name} <${world.requesterA.email}>`,
            To: 'desk@example.test',
            Subject: 'Projector has no signal',
            'Message-ID': `<new${++counter}@example.test>`,
            Date: new Date().toUTCString(),
          },
          'The projector in room 2 shows no signal.',
        ),
      );
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: world.requesterA.email,
        envelopeTo: ['desk@example.test'],
        remoteAddress: '127.0.0.1',
      });
      const opened = (await processInboundMail(inbound, id))!;
      assert.deepEqual([opened.status, opened.reason], ['posted', 'new-ticket'], opened.reasonText ?? '');
      const ticket = (await storage.tickets.findTicketByNumber(opened.ticketId!))!; // the number is the id
      const [ack] = to(await deliver(), world.requesterA);
      assert.ok(ack, 'the requester got the acknowledgement');
      assert.equal(ack.mail.subject, `[#${ticket.number}] Recebemos sua solicitação: Projector has no signal`);
      assert.match(ack.mail.text!, /The projector in room 2 shows no signal\./);
    });

    it('assigned to you: to the technician made responsible, not to one who takes the ticket themselves', async () => {
      const ticket = await openAsRequester('Scanner');
      await deliver();
      const assigned = await admin.patch(`/api/v1/tickets/${ticket.number}`, { responsibleId: world.techA.id });
      assert.equal(assigned.statusCode, 200, assigned.body);
      const mails = await deliver();
      assert.equal(mails.length, 1);
      assert.deepEqual(mails[0]!.to, [world.techA.email]);
      assert.equal(mails[0]!.mail.subject, `[#${ticket.number}] Assigned to you: Scanner`);
      assert.match(mails[0]!.mail.text!, /Alex Admin made you responsible for this ticket of João Muñoz\./);

      const other = await openAsRequester('Monitor');
      await deliver();
      const taken = await tech.patch(`/api/v1/tickets/${other.number}`, { responsibleId: world.techA.id });
      assert.equal(taken.statusCode, 200, taken.body);
      assert.deepEqual(await deliver(), [], 'taking a ticket oneself mails nobody');
    });

    it('a ticket moved to another team while nobody is responsible: that team is told', async () => {
      const ticket = await openAsRequester('Badge reader');
      await deliver();
      const moved = await admin.patch(`/api/v1/tickets/${ticket.number}`, { groupId: world.groupB });
      assert.equal(moved.statusCode, 200, moved.body);
      const mails = await deliver();
      assert.deepEqual(
        mails.map((m) => [m.to, m.mail.subject]),
        [[[world.techB.email], `[#${ticket.number}] New request in your team: Badge reader`]],
      );
    });

    it('an event mail refused by the server fails like any mail, and an administrator can send it again', async () => {
      const { id } = await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email: 'full.mailbox@example.test',
        name: 'Fiona Full',
        password: TEST_PASSWORD,
      });
      const fiona = (await loadActor(deps.storage, id))!;
      sink.rejectRecipient(fiona.email);
      try {
        await openTicket(deps, fiona, { title: 'Tablet', description: 'Cracked.', groupId: world.groupA });
        const batch = await dispatchBatch({ ...deps, transports, random: () => 0.5 }, POLICY);
        assert.equal(batch.failed, 1, JSON.stringify(batch));
      } finally {
        sink.accept();
      }
      const list = (await admin.get('/api/v1/admin/outbox?status=failed')).json().items as {
        id: number;
        to: string;
      }[];
      const failed = list.find((e) => JSON.stringify(e).includes(fiona.email));
      assert.ok(failed, `the acknowledgement to Fiona is listed as failed: ${JSON.stringify(list)}`);
      const retried = await admin.post(`/api/v1/admin/outbox/${failed.id}/retry`);
      assert.equal(retried.statusCode, 200, retried.body);
      const mails = await deliver();
      assert.deepEqual(
        mails.map((m) => m.to),
        [[fiona.email]],
      );
      assert.match(mails[0]!.mail.subject!, /Recebemos sua solicitação: Tablet/);
    });

    it('each event switched off (its parameter empty) sends nothing, and the ticket is still opened and assigned', async () => {
      await eventMails(false);
      const ticket = await openAsRequester('Keyboard');
      assert.equal(
        (await admin.patch(`/api/v1/tickets/${ticket.number}`, { responsibleId: world.techA.id })).statusCode,
        200,
      );
      await setStatus(ticket.number, 'closed');
      const closedReply = await replyByMail(ticket.number);
      // Nobody tells the sender, so a person must read it: held for review, not dropped.
      assert.equal(closedReply.status, 'held');
      assert.equal(closedReply.reason, 'ticket-closed');
      assert.match(
        closedReply.reasonText!,
        /no closed-ticket notice is set \(parameter 9025\), so it is held for review/,
      );
      assert.deepEqual(await deliver(), []);
      // The reviewer can put it on the closed ticket: as their own internal note, the sender's words quoted.
      const before = await messagesOf(ticket.number);
      const attached = await tech.post(`/api/v1/inbound-mail/${closedReply.id}/attach`, {
        ticketNumber: ticket.number,
      });
      assert.equal(attached.statusCode, 200, attached.body);
      const items = (await tech.get(`/api/v1/tickets/${ticket.number}/messages`)).json().items as {
        internal: boolean;
        text: string;
      }[];
      assert.equal(items.length, before + 1);
      assert.equal(items.at(-1)!.internal, true);
      assert.match(items.at(-1)!.text, /Still broken, sorry\./);
      assert.equal(await statusOf(ticket.number), 'closed');
    });

    it('a template an event names cannot be deleted or deactivated (409 TEMPLATE_IN_USE naming the parameter)', async () => {
      const id = templates.acknowledgement!;
      const deleted = await admin.delete(`/api/v1/admin/email-templates/${id}`);
      assert.equal(deleted.statusCode, 409, deleted.body);
      assert.equal(deleted.json().code, 'TEMPLATE_IN_USE');
      assert.deepEqual(deleted.json().details, { parameter: 9022 });
      const t = (await admin.get(`/api/v1/admin/email-templates/${id}`)).json();
      const off = await admin.put(`/api/v1/admin/email-templates/${id}`, { ...t, active: false });
      assert.equal(off.statusCode, 409, off.body);
      assert.match(off.json().message, /named by parameter 9022/);
    });

    it("a requester's portal message moves a waiting or resolved ticket back to in progress", async () => {
      const ticket = await openAsRequester('Mouse');
      for (const from of ['waiting', 'resolved']) {
        await setStatus(ticket.number, from);
        const posted = await requester.post(`/api/v1/tickets/${ticket.number}/messages`, { text: `Back (${from}).` });
        assert.equal(posted.statusCode, 201, posted.body);
        assert.equal(await statusOf(ticket.number), 'in_progress', `from ${from}`);
      }
      // A technician's message moves nothing; parameter 9020 "none" keeps a waiting ticket waiting.
      await setStatus(ticket.number, 'waiting');
      assert.equal(
        (await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Any news?' })).statusCode,
        201,
      );
      assert.equal(await statusOf(ticket.number), 'waiting');
      await setParam(PARAM.REOPEN_FROM, 'none');
      assert.equal(
        (await requester.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Hi.' })).statusCode,
        201,
      );
      assert.equal(await statusOf(ticket.number), 'waiting');
      // 9021 "new": back to new instead.
      await setParam(PARAM.REOPEN_FROM, 'waiting');
      await setParam(PARAM.REOPEN_TO, 'new');
      assert.equal(
        (await requester.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Hi!' })).statusCode,
        201,
      );
      assert.equal(await statusOf(ticket.number), 'new');
      await deliver();
    });

    it("a requester's reply by mail moves a waiting ticket back to in progress, with the message posted", async () => {
      const ticket = await openAsRequester('Docking station');
      await setStatus(ticket.number, 'waiting');
      const before = await messagesOf(ticket.number);
      const outcome = await replyByMail(ticket.number);
      assert.equal(outcome.status, 'posted', outcome.reasonText ?? '');
      assert.equal(await messagesOf(ticket.number), before + 1);
      assert.equal(await statusOf(ticket.number), 'in_progress');
      // The ticket's life tells the move as the requester's doing, to staff and to the requester.
      for (const reader of [tech, requester]) {
        const thread = (await reader.get(`/api/v1/tickets/${ticket.number}/messages`)).json() as {
          events: { kind: string; from: string | null; to: string | null; actor: { name: string } | null }[];
        };
        const last = thread.events.at(-1)!;
        assert.deepEqual(
          [last.kind, last.from, last.to, last.actor?.name],
          ['status', 'waiting', 'in_progress', world.requesterA.name],
        );
      }
      await deliver();
    });

    it('a closed ticket: the API answers 409 TICKET_CLOSED with a sentence, and nothing is stored', async () => {
      const ticket = await openAsRequester('Headset');
      await setStatus(ticket.number, 'closed');
      const before = await messagesOf(ticket.number);
      const r = await requester.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'One more thing.' });
      assert.equal(r.statusCode, 409, r.body);
      assert.equal(r.json().code, 'TICKET_CLOSED');
      assert.equal(
        r.json().message,
        `Ticket #${ticket.number} is closed and takes no more messages: open a new request instead.`,
      );
      assert.equal(await messagesOf(ticket.number), before);
      assert.equal(await statusOf(ticket.number), 'closed');
      // Staff may still write on it.
      assert.equal(
        (await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Closing note.' })).statusCode,
        201,
      );
      await deliver();
    });

    // threat: A reply to a closed ticket → never posted; its sender gets one closed-ticket notice, and an auto-reply or any answer to that notice gets none (no mail loop).
    it('a closed ticket by mail: not posted, the notice received once, and no loop with an auto-reply or a reply to it', async () => {
      const ticket = await openAsRequester('Webcam');
      await setStatus(ticket.number, 'closed');
      await deliver();
      const before = await messagesOf(ticket.number);
      const refused = await replyByMail(ticket.number);
      assert.equal(refused.status, 'discarded');
      assert.equal(refused.reason, 'ticket-closed');
      assert.equal(refused.ticketId, (await storage.tickets.findTicketByNumber(ticket.number))!.id);
      assert.equal(await messagesOf(ticket.number), before, 'nothing posted');
      assert.equal(await statusOf(ticket.number), 'closed');
      const mails = await deliver();
      assert.equal(mails.length, 1);
      const notice = mails[0]!;
      assert.deepEqual(notice.to, [world.requesterA.email]);
      assert.equal(notice.mail.subject, `[#${ticket.number}] This ticket is closed: Webcam`);
      assert.match(notice.mail.text!, /open a new request in the portal/);
      assert.equal(notice.mail.replyTo, undefined, 'no reply address: answers go nowhere special');
      const noticeId = notice.mail.messageId!;

      // An out-of-office answering the notice is a loop: recorded, never answered.
      const auto = await replyByMail(ticket.number, { 'Auto-Submitted': 'auto-replied', 'In-Reply-To': noticeId });
      assert.equal(auto.status, 'loop');
      // A person (or a responder without those headers) answering the notice: not posted, no second notice; held for
      // a person to read.
      const again = await replyByMail(ticket.number, { 'In-Reply-To': noticeId, References: noticeId });
      assert.equal(again.status, 'held');
      assert.match(again.reasonText!, /answers a closed-ticket notice/);
      assert.deepEqual(await deliver(), []);
      assert.equal(await messagesOf(ticket.number), before);
    });

    it('erasing a requester erases their event mails too: the words, their address, and those not sent are cancelled', async () => {
      const { id } = await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email: 'leaving@example.test',
        name: 'Lena Leaving',
        password: TEST_PASSWORD,
      });
      const lena = (await loadActor(deps.storage, id))!;
      const ticket = await openTicket(deps, lena, {
        title: 'My home address',
        description: 'Rua X, 12',
        groupId: world.groupA,
      });
      const rows = () =>
        storage.kyselyInstance
          .selectFrom('outbox_entry')
          .select(['to_address', 'subject', 'html', 'text', 'status'])
          .where('ticket_id', '=', ticket.id)
          .orderBy('id')
          .execute();
      assert.deepEqual(
        (await rows()).map((r) => r.to_address),
        ['leaving@example.test', world.techA.email],
        'the acknowledgement and the news to the team were queued',
      );
      await eraseRequester(deps, CLI_ORIGIN, lena.id, { confirmEmail: lena.email });
      const erased = await rows();
      assert.deepEqual(
        erased.map((r) => [r.to_address, r.subject, r.html, r.text, r.status]),
        [
          [`erased-${lena.id}@erased.invalid`, '', '', '', 'failed'],
          [world.techA.email, '', '', '', 'failed'],
        ],
      );
      assert.deepEqual(await deliver(), [], 'nothing of theirs goes out');
    });
  });
}
