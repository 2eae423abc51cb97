/**
 * Erasure on request (GDPR art. 17, LGPD art. 18): an administrator erases a requester and no trace of their name,
 * address, message text, attachment bytes or raw mail remains in any column of any table, while ticket numbers and
 * staff messages stay. On SQLite and PostgreSQL, HTTP through inject(), the database read directly.
 */
import assert from 'node:assert/strict';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { ERASED_TICKET_TITLE } from '../../src/domain/users/erase-requester.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, withToken, type Client } from '../support/http.ts';
import { verified } from '../support/sender.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { mailWebhooks } from '../../src/domain/webhooks/mail-webhooks.ts';

const NAME = 'Zélia Quintanilha';
const EMAIL = 'zelia.quintanilha@example.org';
const TITLE = 'Broken badge reader of Zélia';
const DESCRIPTION = 'My badge number is BADGE-77341.';
const TEXT = 'My medical leave starts on Monday, diagnosis MEDIC-55120.';
const FILE_BYTES = Buffer.from('PAYSLIP-90417 of the requester, do not share\n', 'utf8');
const INBOUND_TEXT = 'Replying by mail: my home address is HOME-22918.';
const RAW_MARKER = 'X-Private-Marker: RAWMAIL-66203';
const STAFF_TEXT = 'We ordered a new badge reader for your floor.';

/** What must be gone: each as text, and as the bytes a blob would hold. */
const TRACES = [
  'HELD-31337',
  NAME,
  EMAIL,
  'zelia',
  'Quintanilha',
  'BADGE-77341',
  'MEDIC-55120',
  // A word of the text alone, as a full-text index (SQLite FTS5's shadow tables) would keep it.
  '55120',
  'PAYSLIP-90417',
  'HOME-22918',
  'RAWMAIL-66203',
];

/** Every cell of every table that holds one of the traces, as `table.column`. */
const tracesLeft = (storage: SqlStorage) => tracesIn(storage, TRACES);

for (const database of [sqliteMemory, postgres]) {
  describe(`erasing a requester on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let w: World;
    let app: FastifyInstance;
    let admin: Client;
    let tech: Client;
    let person: Client;
    let personId: number;
    let token: string;
    let ticketNumber: number;
    /** The reply they sent by mail, as it arrived, and the inbound mail it became. */
    let reply: { raw: Buffer; to: string; id: number };

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      w = await buildWorld(deps);
      await endpointForEveryEvent(deps);
      app = await testApp(deps);
      admin = await signIn(app, w.admin.email);
      tech = await signIn(app, w.techA.email);
      personId = (
        await createUser(deps, CLI_ORIGIN, { role: 'requester', email: EMAIL, name: NAME, password: TEST_PASSWORD })
      ).id;
      person = await signIn(app, EMAIL);
      token = (await createApiToken(deps, CLI_ORIGIN, EMAIL, 'laptop')).token;

      const upload = { name: 'payslip.txt', contentType: 'text/plain', content: FILE_BYTES.toString('base64') };
      const opened = await person.post('/api/v1/tickets', {
        title: TITLE,
        description: DESCRIPTION,
        groupId: w.groupA,
        attachments: [upload],
      });
      assert.equal(opened.statusCode, 201, opened.body);
      ticketNumber = opened.json().number;
      const posted = await person.post(`/api/v1/tickets/${ticketNumber}/messages`, {
        text: TEXT,
        attachments: [upload],
      });
      assert.equal(posted.statusCode, 201, posted.body);
      // Someone else's ticket copies them: they leave it, the ticket is untouched.
      const copied = await tech.put(`/api/v1/tickets/${w.ticketA.number}/copies`, { copies: [{ email: EMAIL }] });
      assert.equal(copied.statusCode, 200, copied.body);
      assert.equal((await tech.post(`/api/v1/tickets/${ticketNumber}/messages`, { text: STAFF_TEXT })).statusCode, 201);

      // Every mail so far is sent; a later one to them stays queued.
      const claimed = await storage.outbox.claimOutbox({
        now: new Date(Date.now() + 86_400_000).toISOString(),
        leaseUntil: new Date(Date.now() + 90_000_000).toISOString(),
        token: 'erasure-test',
        limit: 100,
      });
      assert.ok(claimed.some((e) => e.toAddress === EMAIL));
      const at = new Date().toISOString();
      const sent = { status: 'sent' as const, at, reply: `250 ok queued for ${EMAIL}`, nextAttemptAt: null };
      // One mail to them failed; an administrator sends it again (the audit log names its recipient).
      const failedOne = claimed.find((e) => e.toAddress === EMAIL)!;
      const failed = { status: 'failed' as const, at, reply: `550 no such user ${EMAIL}`, nextAttemptAt: null };
      await storage.outbox.finishOutboxAttempts(
        'erasure-test',
        claimed.map((e) => ({ id: e.id, outcome: e.id === failedOne.id ? failed : sent })),
      );
      // The `mail.*` webhooks a dispatcher queues with those outcomes (the recipient, the server's reason).
      const reported = (await mailWebhooks(
        deps,
        claimed.map((e) => e.id),
      ))!;
      const outcomeOf = (id: number) =>
        id === failedOne.id
          ? { event: 'mail.failed' as const, at, reply: failed.reply }
          : { event: 'mail.sent' as const, at, reply: sent.reply };
      await storage.webhooks.queueWebhookDeliveries(
        claimed.flatMap((e) => reported(e.id, outcomeOf(e.id))),
        at,
      );
      const retried = await admin.post(`/api/v1/admin/outbox/${failedOne.id}/retry`, {});
      assert.equal(retried.statusCode, 200, retried.body);
      // Their own API token, made by them (the audit log records them and their client address), and a mistyped
      // password (the sign-in limiter counts under their address).
      assert.equal((await person.post('/api/v1/me/tokens', { name: 'phone of Zelia' })).statusCode, 201);
      const mistyped = await anonymous(app).post('/api/v1/auth/login', { email: EMAIL, password: 'not the password' });
      assert.equal(mistyped.statusCode, 401);
      assert.equal(
        (await tech.post(`/api/v1/tickets/${ticketNumber}/messages`, { text: 'One more thing.' })).statusCode,
        201,
      );

      // A reply by mail, with its original kept.
      const to = replyAddress(deps.signer, 'desk.example.test', ticketNumber, personId);
      const raw = verified(
        Buffer.from(
          [
            `From: "${NAME}" <${EMAIL}>`,
            `To: ${to}`,
            `Subject: Re: [#${ticketNumber}] ${TITLE}`,
            `Message-ID: <erasure.${database.name}.1@mail.example.org>`,
            RAW_MARKER,
            '',
            INBOUND_TEXT,
            '',
          ].join('\r\n'),
        ),
      );
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: EMAIL,
        envelopeTo: [to],
        remoteAddress: '192.0.2.7',
      });
      const done = await processInboundMail(
        { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
        id,
      );
      assert.equal(done?.status, 'posted', JSON.stringify(done));
      reply = { raw, to, id };
      // A mail from their address that proves nothing waits for review.
      const held = Buffer.from(
        [
          `From: "${NAME}" <${EMAIL}>`,
          'To: help@desk.example.test',
          'Subject: Another thing',
          `Message-ID: <erasure.${database.name}.2@mail.example.org>`,
          '',
          'HELD-31337 is my employee number.',
          '',
        ].join('\r\n'),
      );
      const heldId = await receiveMail(deps, {
        raw: held,
        sha256: createHash('sha256').update(held).digest('hex'),
        envelopeFrom: EMAIL,
        envelopeTo: ['help@desk.example.test'],
        remoteAddress: '192.0.2.7',
      });
      const waiting = await processInboundMail(
        { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
        heldId,
      );
      assert.equal(waiting?.status, 'held', JSON.stringify(waiting));
      assert.equal((await admin.get('/api/v1/inbound-mail?status=held')).json().items.length, 1);
      const present = await tracesLeft(storage);
      assert.ok(present.length > 10, 'the traces are there before');
      // The webhook deliveries hold them too: the held mail's sender (no ticket), the mails to them.
      assert.ok(present.includes(`webhook_delivery.body: ${EMAIL}`), present.join('\n'));
    });

    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    it('only an administrator may erase (403), a staff account is refused (409), a mistyped address changes nothing (422)', async () => {
      const asTech = await tech.post(`/api/v1/admin/users/${personId}/erase`, { confirmEmail: EMAIL });
      assert.equal(asTech.statusCode, 403);
      const staff = await admin.post(`/api/v1/admin/users/${w.techB.id}/erase`, { confirmEmail: w.techB.email });
      assert.equal(staff.statusCode, 409);
      assert.equal(staff.json().code, 'USER_NOT_ERASABLE');
      assert.match(staff.json().message, /deactivate/);
      const mistyped = await admin.post(`/api/v1/admin/users/${personId}/erase`, { confirmEmail: 'zelia@example.org' });
      assert.equal(mistyped.statusCode, 422);
      assert.equal(mistyped.json().code, 'ERASURE_NOT_CONFIRMED');
      assert.equal((await person.get('/api/v1/me')).statusCode, 200, 'still signed in');
      assert.equal((await admin.post('/api/v1/admin/users/999999/erase', { confirmEmail: EMAIL })).statusCode, 404);
    });

    // threat: An erased requester leaves no name, address, text, attachment or raw mail behind; the thread keeps that messages existed.
    it('erases every trace in one go, keeps ticket numbers and staff messages, and answers a second erasure clearly', async () => {
      const erased = await admin.post(`/api/v1/admin/users/${personId}/erase`, {
        confirmEmail: ` ${EMAIL.toUpperCase()} `,
      });
      assert.equal(erased.statusCode, 200, erased.body);
      const summary = erased.json();
      assert.equal(summary.messages, 2, 'one through the API, one by mail');
      assert.equal(summary.attachments, 2);
      assert.equal(summary.inboundMails, 2, 'the posted reply and the held mail');
      assert.equal(summary.tickets, 1);
      assert.ok(summary.outboxCancelled >= 1 && summary.outboxEntries > summary.outboxCancelled, erased.body);
      assert.equal(summary.sessionsEnded, 1);
      assert.equal(summary.tokensRevoked, 2, 'one made for them, one they made');
      assert.match(summary.pseudonym, /^Erased requester [0-9a-f]{8}$/);

      assert.deepEqual(await tracesLeft(storage), []);
      // Their mails' Message-IDs too (the duplicate key kept only as a digest, see below).
      assert.deepEqual(await tracesIn(storage, [`erasure.${database.name}.`]), []);
      // tracesLeft read the audit log too: the entry of their creation now names the pseudonym's address and
      // withholds its values. The erasure itself is recorded, by whom and with what it removed.
      const audit = (await admin.get(`/api/v1/admin/audit?targetType=user&targetId=${personId}`)).json().items as {
        action: string;
        actorEmail: string | null;
        targetLabel: string;
        changes: { field: string; after?: number; withheld?: string }[];
      }[];
      const erasure = audit.find((e) => e.action === 'user.erase');
      assert.equal(erasure?.actorEmail, w.admin.email);
      assert.equal(erasure?.targetLabel, `erased-${personId}@erased.invalid`);
      assert.deepEqual(
        erasure?.changes.find((c) => c.field === 'messages'),
        { field: 'messages', after: 2 },
      );
      const creation = audit.find((e) => e.action === 'user.create');
      assert.ok(creation && creation.changes.length > 0 && creation.changes.every((c) => c.withheld === 'erased'));

      // No way in: session, token, password.
      assert.equal((await person.get('/api/v1/me')).statusCode, 401);
      assert.equal((await withToken(app, token).get('/api/v1/me')).statusCode, 401);
      const login = await anonymous(app).post('/api/v1/auth/login', { email: EMAIL, password: TEST_PASSWORD });
      assert.equal(login.statusCode, 401);

      // The ticket and its thread stay: staff text intact, theirs marked removed and empty.
      const ticket = (await tech.get(`/api/v1/tickets/${ticketNumber}`)).json();
      assert.equal(ticket.title, ERASED_TICKET_TITLE);
      assert.equal(ticket.description, '');
      assert.equal(ticket.requester.name, summary.pseudonym);
      const thread = (await tech.get(`/api/v1/tickets/${ticketNumber}/messages`)).json().items as {
        text: string;
        removed: boolean;
        author: { id: number };
        attachments: unknown[];
      }[];
      const theirs = thread.filter((m) => m.author.id === personId);
      assert.equal(theirs.length, 2);
      assert.ok(theirs.every((m) => m.removed && m.text === '' && m.attachments.length === 0));
      assert.ok(thread.some((m) => m.text === STAFF_TEXT && !m.removed));
      // Someone else's ticket they were copied on keeps its own title, and no longer copies them.
      const other = (await tech.get(`/api/v1/tickets/${w.ticketA.number}`)).json();
      assert.equal(other.title, w.ticketA.title);
      assert.deepEqual(other.copies, []);

      // The mail still queued to them is cancelled, and no dispatcher will claim it.
      const outbox = (await admin.get('/api/v1/admin/outbox')).json().items as {
        id: number;
        to: string;
        status: string;
        lastReplyCode: string | null;
      }[];
      const toThem = outbox.filter((e) => e.to === `erased-${personId}@erased.invalid`);
      assert.ok(toThem.some((e) => e.status === 'failed' && e.lastReplyCode === 'ERASED'));
      assert.ok(toThem.length >= 2 && toThem.every((e) => e.status === 'sent' || e.status === 'failed'));

      // The held mail is no longer waiting for anyone's review.
      const review = (await admin.get('/api/v1/inbound-mail?status=held')).json().items as unknown[];
      assert.equal(review.length, 0);

      // A mail the erasure cancelled cannot be sent again.
      const cancelledOne = toThem.find((e) => e.lastReplyCode === 'ERASED')!;
      const resend = await admin.post(`/api/v1/admin/outbox/${cancelledOne.id}/retry`, {});
      assert.equal(resend.statusCode, 409, resend.body);

      // Their reply arriving again (a retry, a re-fetch) is still known as a copy of the erased one: not posted again.
      const copyId = await receiveMail(deps, {
        raw: reply.raw,
        sha256: createHash('sha256').update(reply.raw).digest('hex'),
        envelopeFrom: EMAIL,
        envelopeTo: [reply.to],
        remoteAddress: '192.0.2.7',
      });
      const copy = await processInboundMail(
        { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
        copyId,
      );
      assert.deepEqual([copy?.status, copy?.duplicateOf], ['duplicate', reply.id], JSON.stringify(copy));
      // Kept without anything of theirs (erasure-mail-again.test.ts); the sign-in tried above counts under the address.
      const left = await tracesLeft(storage);
      assert.deepEqual(
        left.filter((t) => !t.startsWith('sign_in_failure.')),
        [],
      );
      assert.deepEqual(await tracesIn(storage, [`erasure.${database.name}.`]), []);

      const again = await admin.post(`/api/v1/admin/users/${personId}/erase`, { confirmEmail: EMAIL });
      assert.equal(again.statusCode, 409);
      assert.equal(again.json().code, 'USER_ALREADY_ERASED');
      const listed = (await admin.get('/api/v1/admin/users'))
        .json()
        .items.find((u: { id: number }) => u.id === personId);
      assert.equal(listed.erasedAt, summary.erasedAt);
      assert.equal(listed.active, false);
    });
  });
}
