/**
 * Inbound mail, stored to decided: matching (our Message-IDs, signed reply addresses, the subject tag with a sender
 * check), the security cases (strangers, forged or misused tokens, Reply-To spoofing, our own headers in inbound
 * mail), loops, delivery reports, duplicates, the per-sender cap, new tickets from mail, crash recovery, and the review
 * API. Each runs on SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail, receiveMailForProcessing } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { eml, mail } from '../fixtures/eml/eml.ts';
import { verified } from '../support/sender.ts';
import { erasedDedupeKey } from '../../src/adapters/storage/sql/inbound-rows.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { keyTheEarlierWay } from '../support/earlier-keys.ts';

const DOMAIN = 'desk.example.test';
let counter = 0;
const newMessageId = (host = 'mail.example.org') => `<m${Date.now()}.${++counter}@${host}>`;
const silentLog = { info() {}, warn() {}, error() {} };

for (const database of [sqliteMemory, postgres]) {
  describe(`inbound mail on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let w: World;
    let clock: TestClock;
    /** A notification to requester A on ticket A, and one to requester B on ticket B, as they were queued. */
    let toReqA: { messageIdHeader: string; threadId: string | null; replyTo: string | null };
    let toReqB: { messageIdHeader: string; threadId: string | null; replyTo: string | null };

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      deps = testDeps(storage, clock);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
      const a = await postMessage(deps, w.techA, {
        ticketNumber: w.ticketA.number,
        text: 'Could you restart the printer?',
        source: 'desk',
      });
      const b = await postMessage(deps, w.techB, {
        ticketNumber: w.ticketB.number,
        text: 'The laptop is ready.',
        source: 'desk',
      });
      const [ea] = await storage.outbox.outboxOfMessages([a.message.id]);
      const [eb] = await storage.outbox.outboxOfMessages([b.message.id]);
      toReqA = ea!;
      toReqB = eb!;
      assert.equal(ea!.toAddress, 'req.a@example.test');
      assert.equal(eb!.toAddress, 'req.b@example.test');
    });
    after(async () => {
      await storage.close();
      await drop();
    });

    /**
     * Stores a mail and processes it: handed over in memory as the receivers do (`receiveMailForProcessing`), or,
     * every other call, stored alone and read back as after a crash. Either way the state returned is the one stored.
     */
    let handOver = false;
    async function deliver(
      raw: Buffer,
      envelope: { from?: string; to?: string[]; unverified?: true } = {},
      policy?: InboundDeps['policy'],
    ): Promise<InboundMail> {
      // As behind the organisation's MTA, which verified the sender (inbound-identity.test.ts tests who wrote).
      if (!envelope.unverified && /^From:/im.test(raw.toString('latin1', 0, 8192))) raw = verified(raw);
      const rawMail = {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: envelope.from ?? 'sender@example.org',
        envelopeTo: envelope.to ?? [`desk@${DOMAIN}`],
        remoteAddress: '127.0.0.1',
      };
      handOver = !handOver;
      const received = handOver ? await receiveMailForProcessing(inbound, rawMail, 'this process') : undefined;
      const id = received ? received.mail.id : await receiveMail(deps, rawMail);
      const done = await processInboundMail(policy ? { ...inbound, policy } : inbound, id, received);
      assert.ok(done);
      assert.deepEqual(done, await storage.inbound.findInboundMail(id), 'the state returned is the state stored');
      assert.equal(done.attempts, 1);
      return done;
    }

    const threadCount = async (ticketId: number) => (await storage.messages.listMessages(ticketId, true)).length;

    const replyVars = (
      from: Actor,
      to: string,
      ref: { messageIdHeader: string; threadId: string | null },
      ticket: number,
    ) => ({
      FROM: from.email,
      FROM_NAME: from.name,
      TO: to,
      MESSAGE_ID: newMessageId(),
      IN_REPLY_TO: ref.messageIdHeader,
      REFERENCES: `${ref.threadId} ${ref.messageIdHeader}`,
      TICKET: ticket,
    });

    it('holds a mail the parser refuses (over 20,000 MIME parts), saying why, and posts nothing', async () => {
      const before = await threadCount(w.ticketA.id);
      const parts = Array.from({ length: 20_001 }, () => '--b\r\nContent-Type: text/plain\r\n\r\nx\r\n').join('');
      const raw = Buffer.from(
        `From: ${w.requesterA.email}\r\nSubject: Many parts\r\nMessage-ID: ${newMessageId()}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/mixed; boundary="b"\r\n\r\n${parts}--b--\r\n`,
      );
      const done = await deliver(raw);
      assert.deepEqual([done.status, done.reason], ['held', 'unparseable']);
      assert.equal(
        done.reasonText,
        'The mail could not be read as an Internet message (The mail has more than 20000 MIME parts).',
      );
      assert.equal(await threadCount(w.ticketA.id), before);
    });

    it('posts a Gmail reply matched by References as the requester’s message (source email), quote removed, and notifies the technicians', async () => {
      const before = await threadCount(w.ticketA.id);
      const done = await deliver(
        eml('gmail-web-en', replyVars(w.requesterA, `desk@${DOMAIN}`, toReqA, w.ticketA.number)),
      );
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      assert.equal(done.reason, 'reply');
      assert.equal(done.ticketId, w.ticketA.id);
      const thread = await storage.messages.listMessages(w.ticketA.id, true);
      assert.equal(thread.length, before + 1);
      const posted = thread.at(-1)!;
      assert.equal(posted.id, done.messageId);
      assert.equal(posted.source, 'email');
      assert.equal(posted.authorId, w.requesterA.id);
      assert.equal(posted.text, 'Thanks, it works again after the restart.');
      assert.match(done.trimmed ?? '', /wrote:/);
      // Nobody is responsible for ticket A: its group's technician is told, as for a portal message.
      const mails = await storage.outbox.outboxOfMessages([posted.id]);
      assert.deepEqual(
        mails.map((m) => [m.toAddress, m.status]),
        [['tech.a@example.test', 'queued']],
      );
    });

    it('posts an Outlook reply (quoted-printable, Portuguese) matched by its signed reply address alone', async () => {
      const done = await deliver(
        eml('outlook-desktop-pt', { ...replyVars(w.requesterA, toReqA.replyTo!, toReqA, w.ticketA.number) }),
        { to: [toReqA.replyTo!] },
      );
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      assert.match(done.reasonText ?? '', /token/);
      const posted = (await storage.messages.listMessages(w.ticketA.id, true)).at(-1)!;
      assert.equal(posted.text, 'Olá, o problema voltou hoje de manhã. Poderiam verificar?\n\nAtenciosamente,\nJoão');
    });

    it('posts Apple Mail (Spanish), Thunderbird (German, flowed) and iPhone (French) replies with their quotes removed', async () => {
      const es = await deliver(
        eml('apple-mail-es', replyVars(w.requesterB, `desk@${DOMAIN}`, toReqB, w.ticketB.number)),
      );
      assert.equal(es.status, 'posted', es.reasonText ?? '');
      assert.equal(es.text, 'Perfecto, muchas gracias. Lo recojo mañana.');
      // techB is responsible for ticket B: told of the requester's reply.
      assert.deepEqual(
        (await storage.outbox.outboxOfMessages([es.messageId!])).map((m) => m.toAddress),
        ['tech.b@example.test'],
      );
      const de = await deliver(
        eml('thunderbird-de', replyVars(w.requesterA, `desk@${DOMAIN}`, toReqA, w.ticketA.number)),
      );
      assert.equal(de.status, 'posted', de.reasonText ?? '');
      assert.equal(de.text, 'Danke, der Drucker läuft wieder.\n\nViele Grüße');
      const fr = await deliver(eml('iphone-fr', replyVars(w.requesterA, `desk@${DOMAIN}`, toReqA, w.ticketA.number)));
      assert.equal(fr.status, 'posted', fr.reasonText ?? '');
      assert.equal(fr.text, "Merci, c'est réglé de mon côté.");
    });

    it('a technician’s reply by mail reaches the requester', async () => {
      const techToken = replyAddress(deps.signer, DOMAIN, w.ticketB.number, w.techB.id);
      const done = await deliver(
        mail(
          {
            From: `"${w.techB.name}" <${w.techB.email}>`,
            To: techToken,
            Subject: 'Re: laptop',
            'Message-ID': newMessageId(),
          },
          'Pick it up at the front desk.',
        ),
        { to: [techToken] },
      );
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      const posted = (await storage.messages.listMessages(w.ticketB.id, true)).at(-1)!;
      assert.equal(posted.authorId, w.techB.id);
      assert.deepEqual(
        (await storage.outbox.outboxOfMessages([posted.id])).map((m) => m.toAddress),
        ['req.b@example.test'],
      );
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket, a `Reply-To` naming a technician, a spoofed `From` failing authentication
    it('holds a stranger’s reply, even with our references and a valid reply address', async () => {
      const before = await threadCount(w.ticketA.id);
      const done = await deliver(
        eml('gmail-web-en', {
          ...replyVars(w.requesterA, toReqA.replyTo!, toReqA, w.ticketA.number),
          FROM: 'mallory@evil.example',
          FROM_NAME: 'João Muñoz',
        }),
        {
          to: [toReqA.replyTo!],
        },
      );
      assert.equal(done.status, 'held');
      assert.equal(done.reason, 'unknown-sender');
      assert.equal(done.ticketId, w.ticketA.id, 'the reviewer is shown the ticket it seems to belong to');
      assert.equal(await threadCount(w.ticketA.id), before);
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket, a `Reply-To` naming a technician, a spoofed `From` failing authentication
    it('holds a reply whose reply address was altered (forged signature, or another recipient swapped in)', async () => {
      const before = await threadCount(w.ticketA.id);
      const altered = toReqA.replyTo!.replace(
        /\.([0-9a-f])([0-9a-f]*)@/,
        (_m, c: string, rest: string) => `.${c === 'a' ? 'b' : 'a'}${rest}@`,
      );
      assert.notEqual(altered, toReqA.replyTo);
      const forged = await deliver(
        mail({ From: w.requesterA.email, To: altered, Subject: 'Re: hi', 'Message-ID': newMessageId() }, 'Let me in.'),
        { to: [altered] },
      );
      assert.equal(forged.status, 'held');
      assert.equal(forged.reason, 'forged-token');
      const moved = toReqA.replyTo!.replace(`.${w.requesterA.id}.`, `.${w.techA.id}.`);
      const swapped = await deliver(
        mail({ From: w.techA.email, To: moved, Subject: 'Re: hi', 'Message-ID': newMessageId() }, 'Me too.'),
        { to: [moved] },
      );
      assert.equal(swapped.status, 'held');
      assert.equal(swapped.reason, 'forged-token');
      assert.equal(await threadCount(w.ticketA.id), before);
    });

    it('holds a reply using another ticket’s reply address (bound to someone else, or contradicting the references)', async () => {
      const beforeA = await threadCount(w.ticketA.id);
      const beforeB = await threadCount(w.ticketB.id);
      // Requester A answers with requester B's address of ticket B.
      const other = await deliver(
        mail(
          { From: w.requesterA.email, To: toReqB.replyTo!, Subject: 'Re: laptop', 'Message-ID': newMessageId() },
          'Hijack.',
        ),
        {
          to: [toReqB.replyTo!],
        },
      );
      assert.equal(other.status, 'held');
      assert.equal(other.reason, 'token-recipient-mismatch');
      // A genuine address of requester A for ticket B (signed, but ticket B is not theirs) beside references to ticket A.
      const tokenForB = replyAddress(deps.signer, DOMAIN, w.ticketB.number, w.requesterA.id);
      const conflicting = await deliver(
        mail(
          {
            From: w.requesterA.email,
            To: tokenForB,
            Subject: 'Re: printer',
            'Message-ID': newMessageId(),
            'In-Reply-To': toReqA.messageIdHeader,
          },
          'Which one?',
        ),
        { to: [tokenForB] },
      );
      assert.equal(conflicting.status, 'held');
      assert.equal(conflicting.reason, 'conflicting-tickets');
      // The same address alone: it verifies, but requester A takes no part in ticket B.
      const alone = await deliver(
        mail({ From: w.requesterA.email, To: tokenForB, Subject: 'Re: laptop', 'Message-ID': newMessageId() }, 'Me?'),
        { to: [tokenForB] },
      );
      assert.equal(alone.status, 'held');
      assert.equal(alone.reason, 'sender-not-participant');
      assert.equal(await threadCount(w.ticketA.id), beforeA);
      assert.equal(await threadCount(w.ticketB.id), beforeB);
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket, a `Reply-To` naming a technician, a spoofed `From` failing authentication
    it('never lets Reply-To decide who wrote', async () => {
      // A stranger names the responsible technician in Reply-To: held.
      const spoof = await deliver(
        mail(
          {
            From: 'mallory@evil.example',
            'Reply-To': w.techB.email,
            To: `desk@${DOMAIN}`,
            Subject: `Re: [#${w.ticketB.number}] laptop`,
            'Message-ID': newMessageId(),
            References: toReqB.messageIdHeader,
          },
          'Please send the laptop to my home address.',
        ),
      );
      assert.equal(spoof.status, 'held');
      assert.equal(spoof.reason, 'unknown-sender');
      // The requester with a technician in Reply-To: posted as the requester.
      const real = await deliver(
        mail(
          {
            From: w.requesterB.email,
            'Reply-To': w.techB.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: laptop',
            'Message-ID': newMessageId(),
            References: toReqB.messageIdHeader,
          },
          'Thanks!',
        ),
      );
      assert.equal(real.status, 'posted');
      assert.equal((await storage.messages.listMessages(w.ticketB.id, true)).at(-1)!.authorId, w.requesterB.id);
    });

    // threat: Internal headers of ours arriving in inbound mail are ignored.
    it('ignores headers of ours in inbound mail (no X-Parley-* header is read)', async () => {
      const before = await threadCount(w.ticketB.id);
      const done = await deliver(
        mail(
          {
            From: 'mallory@evil.example',
            To: `desk@${DOMAIN}`,
            Subject: 'Re: laptop',
            'Message-ID': newMessageId(),
            'X-Parley-Ticket': String(w.ticketB.number),
            'X-Parley-Author': String(w.techB.id),
            'X-Parley-Sender': w.techB.email,
          },
          'Internal headers should not matter.',
        ),
      );
      assert.equal(done.status, 'held');
      assert.equal(done.reason, 'unknown-sender');
      assert.equal(done.ticketId, null);
      assert.equal(await threadCount(w.ticketB.id), before);
    });

    it('matches [#number] in the subject only for a participant of that ticket', async () => {
      const ok = await deliver(
        mail(
          {
            From: w.requesterA.email,
            To: `desk@${DOMAIN}`,
            Subject: `Printer [#${w.ticketA.number}] again`,
            'Message-ID': newMessageId(),
          },
          'Still jamming.',
        ),
      );
      assert.equal(ok.status, 'posted');
      assert.match(ok.reasonText ?? '', /subject/);
      const notTheirs = await deliver(
        mail(
          {
            From: w.requesterA.email,
            To: `desk@${DOMAIN}`,
            Subject: `About [#${w.ticketB.number}]`,
            'Message-ID': newMessageId(),
          },
          'Curious.',
        ),
      );
      assert.equal(notTheirs.status, 'held');
      assert.equal(notTheirs.reason, 'sender-not-participant');
    });

    // threat: `Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`, `X-Loop`, a null return path, or our own notification coming back
    it('stores loops and auto-replies as such: never posted, never notified', async () => {
      const before = await threadCount(w.ticketA.id);
      const outboxBefore = (await storage.outbox.listOutbox(undefined, { limit: 100 })).items.length;
      const ooo = await deliver(
        eml('out-of-office', replyVars(w.requesterA, `desk@${DOMAIN}`, toReqA, w.ticketA.number)),
        { from: w.requesterA.email },
      );
      assert.deepEqual([ooo.status, ooo.reason], ['loop', 'auto-submitted']);
      const base = {
        From: w.requesterA.email,
        To: `desk@${DOMAIN}`,
        Subject: 'Re: x',
        References: toReqA.messageIdHeader,
      };
      const bulk = await deliver(mail({ ...base, 'Message-ID': newMessageId(), Precedence: 'bulk' }, 'Newsletter'));
      assert.deepEqual([bulk.status, bulk.reason], ['loop', 'precedence']);
      const list = await deliver(mail({ ...base, 'Message-ID': newMessageId(), Precedence: 'list' }, 'List'));
      assert.deepEqual([list.status, list.reason], ['loop', 'precedence']);
      const xloop = await deliver(
        mail({ ...base, 'Message-ID': newMessageId(), 'X-Loop': 'helpdesk@example.org' }, 'Loop'),
      );
      assert.deepEqual([xloop.status, xloop.reason], ['loop', 'x-loop']);
      const nullPath = await deliver(mail({ ...base, 'Message-ID': newMessageId() }, 'From a daemon'), { from: '' });
      assert.deepEqual([nullPath.status, nullPath.reason], ['loop', 'null-return-path']);
      const own = await deliver(
        mail(
          { ...base, 'Message-ID': `<parley.${w.ticketA.number}.echo1@${DOMAIN}>`, 'Auto-Submitted': 'auto-generated' },
          'Our own notification',
        ),
      );
      assert.deepEqual([own.status, own.reason], ['loop', 'own-notification']);
      const autoNo = await deliver(
        mail({ ...base, 'Message-ID': newMessageId(), 'Auto-Submitted': 'no' }, 'Auto-Submitted: no is a person.'),
      );
      assert.equal(autoNo.status, 'posted');
      assert.equal(await threadCount(w.ticketA.id), before + 1);
      assert.equal(
        (await storage.outbox.listOutbox(undefined, { limit: 100 })).items.length,
        outboxBefore + 1,
        'only the person’s mail queued a notification',
      );
    });

    // threat: `Auto-Submitted` other than `no`, `Precedence: bulk|list|junk`, `X-Loop`, a null return path
    it('a delivery report at the notification’s signed bounce address marks it failed (attempt "bounced" with status and diagnostic), not posted', async () => {
      const sent = await postMessage(deps, w.techA, {
        ticketNumber: w.ticketA.number,
        text: 'One more question.',
        source: 'desk',
      });
      const entry = (await storage.outbox.outboxOfMessages([sent.message.id]))[0]!;
      const before = await threadCount(w.ticketA.id);
      const verp = bounceAddress(deps.signer, DOMAIN, entry.id);
      const done = await deliver(
        eml('dsn-postfix', {
          TO: verp,
          MESSAGE_ID: newMessageId('mx.example.net'),
          FAILED_RECIPIENT: entry.toAddress,
          TICKET: w.ticketA.number,
          ORIGINAL_MESSAGE_ID: entry.messageIdHeader,
        }),
        { from: '', to: [verp] },
      );
      assert.deepEqual([done.status, done.reason, done.outboxId], ['bounce', 'bounce-of-notification', entry.id]);
      const after = (await storage.outbox.findOutboxEntry(entry.id))!;
      assert.equal(after.status, 'failed');
      assert.equal(after.attempts.at(-1)!.result, 'bounced');
      assert.match(after.attempts.at(-1)!.reply ?? '', /5\.1\.1.*User unknown/);
      assert.equal(await threadCount(w.ticketA.id), before);
      // A report about mail that is not ours: stored as a bounce, nothing else.
      const stray = await deliver(
        eml('dsn-postfix', {
          TO: `desk@${DOMAIN}`,
          MESSAGE_ID: newMessageId('mx.example.net'),
          FAILED_RECIPIENT: 'x@example.org',
          TICKET: 1,
          ORIGINAL_MESSAGE_ID: '<not-ours@example.org>',
        }),
        { from: '' },
      );
      assert.deepEqual([stray.status, stray.reason], ['bounce', 'bounce-unknown']);
    });

    // threat: The same Message-ID twice (a retry, an IMAP re-fetch)
    it('keeps one message per Message-ID, and per content when there is none', async () => {
      const before = await threadCount(w.ticketA.id);
      const raw = mail(
        {
          From: w.requesterA.email,
          To: `desk@${DOMAIN}`,
          Subject: 'Re: x',
          'Message-ID': newMessageId(),
          References: toReqA.messageIdHeader,
        },
        'Sent twice.',
      );
      const first = await deliver(raw);
      const second = await deliver(raw);
      // A re-sent copy with other bytes (another Received line) but the same Message-ID is the same mail.
      const third = await deliver(Buffer.concat([Buffer.from('Received: from relay2.example.org\r\n'), raw]));
      assert.equal(first.status, 'posted');
      assert.deepEqual([second.status, second.reason, second.duplicateOf], ['duplicate', 'same-message-id', first.id]);
      assert.deepEqual([third.status, third.duplicateOf], ['duplicate', first.id]);
      const noId = mail(
        { From: w.requesterA.email, To: `desk@${DOMAIN}`, Subject: 'Re: x', References: toReqA.messageIdHeader },
        'No Message-ID here.',
      );
      const a = await deliver(noId);
      const b = await deliver(noId);
      assert.equal(a.status, 'posted');
      assert.deepEqual([b.status, b.reason, b.duplicateOf], ['duplicate', 'same-content', a.id]);
      assert.equal(await threadCount(w.ticketA.id), before + 2);
    });

    // threat: The same Message-ID twice (a retry, an IMAP re-fetch)
    it('knows a copy whose Message-ID domain differs in case, or without Message-ID whose trace headers differ', async () => {
      const before = await threadCount(w.ticketA.id);
      const n = `dup${Date.now()}.${++counter}`;
      const reply = (id: string | null, text: string) =>
        mail(
          {
            From: w.requesterA.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: x',
            ...(id ? { 'Message-ID': id } : {}),
            References: toReqA.messageIdHeader,
          },
          text,
        );
      const upper = await deliver(reply(`<${n}@MAIL.Example.ORG>`, 'Case of the domain.'));
      const lower = await deliver(reply(`<${n}@mail.example.org>`, 'Case of the domain.'));
      assert.equal(upper.status, 'posted', upper.reasonText ?? '');
      assert.deepEqual([lower.status, lower.reason, lower.duplicateOf], ['duplicate', 'same-message-id', upper.id]);
      // The left part of a Message-ID is case-sensitive: another mail.
      const other = await deliver(reply(`<${n.toUpperCase()}@mail.example.org>`, 'Another one.'));
      assert.equal(other.status, 'posted', other.reasonText ?? '');
      // Without a Message-ID: through one relay, then through two and fetched from a mailbox (other trace headers).
      const noId = reply(null, `No Message-ID, two routes ${n}.`);
      const viaOne = await deliver(Buffer.concat([Buffer.from('Received: from relay1.example.org\r\n'), noId]));
      const viaTwo = await deliver(
        Buffer.concat([
          Buffer.from(
            'Return-Path: <req.a@example.test>\r\nDelivered-To: desk@desk.example.test\r\n' +
              'X-Original-To: desk@desk.example.test\r\nX-Spam-Status: No, score=-0.1\r\n' +
              'ARC-Seal: i=1; a=rsa-sha256; cv=none; d=relay2.example.org; s=arc; b=AbC=\r\n' +
              'Received-SPF: pass (relay2.example.org: domain of example.test designates 192.0.2.1)\r\n' +
              'Received: from relay2.example.org\r\nReceived: from relay1.example.org\r\n',
          ),
          noId,
        ]),
      );
      assert.equal(viaOne.status, 'posted', viaOne.reasonText ?? '');
      assert.deepEqual([viaTwo.status, viaTwo.reason, viaTwo.duplicateOf], ['duplicate', 'same-content', viaOne.id]);
      // Another text is another mail.
      const changed = await deliver(reply(null, `No Message-ID, two routes ${n}, changed.`));
      assert.equal(changed.status, 'posted', changed.reasonText ?? '');
      assert.equal(await threadCount(w.ticketA.id), before + 4);
    });

    // threat: The same Message-ID twice (a retry, an IMAP re-fetch)
    it('still knows a copy of a mail keyed before keys named the sender, erased or not', async () => {
      const before = await threadCount(w.ticketA.id);
      const db = storage.kyselyInstance;
      const id = newMessageId();
      const raw = mail(
        {
          From: w.requesterA.email,
          To: `desk@${DOMAIN}`,
          Subject: 'Re: x',
          'Message-ID': id,
          References: toReqA.messageIdHeader,
        },
        'Keyed the old way.',
      );
      const first = await deliver(raw);
      assert.equal(first.status, 'posted', first.reasonText ?? '');
      await keyTheEarlierWay(storage, first.id, `mid:${id}`);
      const again = await deliver(raw);
      assert.deepEqual([again.status, again.reason, again.duplicateOf], ['duplicate', 'same-message-id', first.id]);
      // Erased as an erasure erases it: its old key kept only as a digest, its digest and sender emptied (so the copy
      // is known by its being erased, not by its address).
      await db.updateTable('inbound_mail').set({ dedupe_key: null }).where('id', '=', again.id).execute();
      await storage.transaction((tx) => tx.inbound.eraseInboundMailOf({ ids: [first.id] }, clock.now().toISOString()));
      const emptied = await db
        .selectFrom('inbound_mail')
        .select(['dedupe_key', 'sha256', 'from_address'])
        .where('id', '=', first.id)
        .executeTakeFirstOrThrow();
      assert.deepEqual(emptied, { dedupe_key: erasedDedupeKey(`mid:${id}`), sha256: '', from_address: null });
      const erased = await deliver(raw);
      assert.deepEqual([erased.status, erased.duplicateOf], ['duplicate', first.id]);
      // Without a Message-ID: the old key was the hash of the bytes as stored.
      const noId = verified(
        mail(
          { From: w.requesterA.email, To: `desk@${DOMAIN}`, Subject: 'Re: x', References: toReqA.messageIdHeader },
          `Old content ${id}.`,
        ),
      );
      const a = await deliver(noId);
      assert.equal(a.status, 'posted', a.reasonText ?? '');
      await keyTheEarlierWay(storage, a.id, `sha256:${a.sha256}`);
      const b = await deliver(noId);
      assert.deepEqual([b.status, b.reason, b.duplicateOf], ['duplicate', 'same-content', a.id]);
      assert.equal(await threadCount(w.ticketA.id), before + 2);
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket
    it('posts a reply whose Message-ID a stranger used first, and only once', async () => {
      const before = await threadCount(w.ticketA.id);
      const id = newMessageId();
      const junk = await deliver(
        mail(
          {
            From: 'carol@evil.example',
            To: `desk@${DOMAIN}`,
            Subject: 'Re: x',
            'Message-ID': id,
            References: toReqA.messageIdHeader,
          },
          'Junk.',
        ),
      );
      assert.deepEqual([junk.status, junk.reason], ['held', 'unknown-sender']);
      const raw = mail(
        { From: w.requesterA.email, To: toReqA.replyTo!, Subject: 'Re: x', 'Message-ID': id },
        'The real reply.',
      );
      const real = await deliver(raw, { to: [toReqA.replyTo!], unverified: true });
      assert.deepEqual([real.status, real.reason], ['posted', 'reply'], real.reasonText ?? '');
      const again = await deliver(raw, { to: [toReqA.replyTo!], unverified: true });
      assert.deepEqual([again.status, again.reason, again.duplicateOf], ['duplicate', 'same-message-id', real.id]);
      // A stranger's mail keyed before keys named the sender (the Message-ID alone) does not take it either.
      const id2 = newMessageId();
      const oldJunk = await deliver(
        mail({ From: 'carol@evil.example', To: `desk@${DOMAIN}`, Subject: 'Re: x', 'Message-ID': id2 }, 'Old junk.'),
      );
      await keyTheEarlierWay(storage, oldJunk.id, `mid:${id2}`);
      const later = await deliver(
        mail({ From: w.requesterA.email, To: toReqA.replyTo!, Subject: 'Re: x', 'Message-ID': id2 }, 'Later reply.'),
        { to: [toReqA.replyTo!], unverified: true },
      );
      assert.deepEqual([later.status, later.reason], ['posted', 'reply'], later.reasonText ?? '');
      assert.equal(await threadCount(w.ticketA.id), before + 2);
    });

    it('holds what one sender sends beyond the per-minute cap', async () => {
      const policy = { perSenderPerMinute: 3, maxAttempts: 5 };
      clock.advance(10 * 60_000); // a fresh minute for requester B
      const results: InboundMail[] = [];
      for (let k = 0; k < 5; k++) {
        results.push(
          await deliver(
            mail(
              {
                From: w.requesterB.email,
                To: `desk@${DOMAIN}`,
                Subject: 'Re: x',
                'Message-ID': newMessageId(),
                References: toReqB.messageIdHeader,
              },
              `Flood ${k}`,
            ),
            {},
            policy,
          ),
        );
      }
      assert.deepEqual(
        results.map((r) => r.status),
        ['posted', 'posted', 'posted', 'held', 'held'],
      );
      assert.equal(results[4]!.reason, 'rate-limited');
      clock.advance(2 * 60_000);
      const later = await deliver(
        mail(
          {
            From: w.requesterB.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: x',
            'Message-ID': newMessageId(),
            References: toReqB.messageIdHeader,
          },
          'Later',
        ),
        {},
        policy,
      );
      assert.equal(later.status, 'posted');
    });

    it('opens a ticket from unmatched mail of a known requester to the support address (parameter 9003), into the group of 9004', async () => {
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_TICKET_GROUP, 'Group B');
      const done = await deliver(
        eml('new-request-en', {
          FROM: w.requesterB.email,
          FROM_NAME: w.requesterB.name,
          TO: `desk@${DOMAIN}`,
          MESSAGE_ID: newMessageId(),
        }),
      );
      assert.deepEqual([done.status, done.reason], ['posted', 'new-ticket']);
      const ticket = (await storage.tickets.findTicketByNumber(done.ticketId!))!;
      assert.equal(ticket.title, 'VPN does not connect from home');
      assert.equal(ticket.requesterId, w.requesterB.id);
      assert.equal(ticket.groupId, w.groupB);
      assert.equal(
        ticket.description,
        'Hello, since this morning the VPN client says "authentication failed".\nCould someone look at it?',
      );
      // A stranger, or a technician, to the same address: held.
      const stranger = await deliver(
        eml('new-request-en', {
          FROM: 'someone@example.org',
          FROM_NAME: 'Someone',
          TO: `desk@${DOMAIN}`,
          MESSAGE_ID: newMessageId(),
        }),
      );
      assert.deepEqual([stranger.status, stranger.reason], ['held', 'unknown-sender']);
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, false);
      const off = await deliver(
        eml('new-request-en', {
          FROM: w.requesterB.email,
          FROM_NAME: w.requesterB.name,
          TO: `desk@${DOMAIN}`,
          MESSAGE_ID: newMessageId(),
        }),
      );
      assert.deepEqual([off.status, off.reason], ['held', 'no-match']);
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, true);
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_TICKET_GROUP, null);
    });

    it('holds a reply while messaging is unavailable, and stores nothing half-way', async () => {
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.MESSAGING_TEMPLATE, null);
      try {
        const before = await threadCount(w.ticketA.id);
        const done = await deliver(
          mail(
            {
              From: w.requesterA.email,
              To: `desk@${DOMAIN}`,
              Subject: 'Re: x',
              'Message-ID': newMessageId(),
              References: toReqA.messageIdHeader,
            },
            'Hello?',
          ),
        );
        assert.deepEqual([done.status, done.reason], ['held', 'messaging-unavailable']);
        assert.equal(await threadCount(w.ticketA.id), before);
      } finally {
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.MESSAGING_TEMPLATE, w.templateId);
      }
    });

    it('processes mail left "received" by a crash at the next start, once, even when two processors race', async () => {
      const raw = verified(
        mail(
          {
            From: w.requesterA.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: x',
            'Message-ID': newMessageId(),
            References: toReqA.messageIdHeader,
          },
          'Stored, then the process died.',
        ),
      );
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: 'x@example.org',
        envelopeTo: [`desk@${DOMAIN}`],
        remoteAddress: null,
      });
      assert.equal((await storage.inbound.findInboundMail(id))!.status, 'received');
      const before = await threadCount(w.ticketA.id);
      // Two processors at once (two processes after a restart): one begins it, the other finds it leased and leaves
      // it; one message, one attempt.
      const [a, b] = await Promise.all([processInboundMail(inbound, id), processInboundMail(inbound, id)]);
      assert.deepEqual([a!.status, b!.status].sort(), ['posted', 'received']);
      assert.equal(await threadCount(w.ticketA.id), before + 1);
      assert.deepEqual(
        [(await storage.inbound.findInboundMail(id))!.status, (await storage.inbound.findInboundMail(id))!.attempts],
        ['posted', 1],
      );
      // The ingestor's start-up sweep picks up what is left.
      const raw2 = verified(
        mail(
          {
            From: w.requesterA.email,
            To: `desk@${DOMAIN}`,
            Subject: 'Re: x',
            'Message-ID': newMessageId(),
            References: toReqA.messageIdHeader,
          },
          'Second one.',
        ),
      );
      const id2 = await receiveMail(deps, {
        raw: raw2,
        sha256: createHash('sha256').update(raw2).digest('hex'),
        envelopeFrom: 'x@example.org',
        envelopeTo: [],
        remoteAddress: null,
      });
      const ingestor = new InboundIngestor(inbound, { sweepMs: 60_000, concurrency: 2, log: silentLog });
      await ingestor.start();
      await ingestor.idle();
      await ingestor.stop();
      assert.equal((await storage.inbound.findInboundMail(id2))!.status, 'posted');
      assert.deepEqual(await storage.inbound.pendingInboundMail(clock.now().toISOString(), 10), []);
    });

    it('holds a mail as processing-failed once its attempts pass maxAttempts, the one handed over at receipt included', async () => {
      const raw = mail(
        {
          From: w.requesterA.email,
          To: `desk@${DOMAIN}`,
          Subject: 'Re: x',
          'Message-ID': newMessageId(),
          References: toReqA.messageIdHeader,
        },
        'Brings the process down.',
      );
      // Stored and handed to processing (attempt 1), then the process dies; four more starts die the same way.
      const received = await receiveMailForProcessing(
        inbound,
        {
          raw,
          sha256: createHash('sha256').update(raw).digest('hex'),
          envelopeFrom: 'x@example.org',
          envelopeTo: [],
          remoteAddress: null,
        },
        'a process that dies',
      );
      assert.equal(received.mail.attempts, 1);
      for (let k = 2; k <= 5; k++) assert.equal(await storage.inbound.countInboundAttempt(received.mail.id), k);
      const before = await threadCount(w.ticketA.id);
      const leased = await processInboundMail(inbound, received.mail.id);
      assert.deepEqual([leased!.status, leased!.attempts], ['received', 5], 'not begun while its lease holds');
      clock.advance(10_001); // the dead process's lease is over
      const done = await processInboundMail(inbound, received.mail.id);
      assert.deepEqual([done!.status, done!.reason, done!.attempts], ['held', 'processing-failed', 6]);
      assert.match(done!.reasonText ?? '', /failed 5 times/);
      assert.equal(await threadCount(w.ticketA.id), before);
      // Decided: processing it again (another process, the sweep) changes nothing and counts no attempt.
      assert.deepEqual(await processInboundMail(inbound, received.mail.id), done);
    });

    it('review API: lists held mail by who may see it, attaches in one call (as the sender, or as the reviewer’s note), discards', async () => {
      const app = await buildApp(deps);
      try {
        const tokenOf = async (actor: Actor) => {
          const { createApiToken } = await import('../../src/domain/users/create-api-token.ts');
          return (await createApiToken(deps, CLI_ORIGIN, actor.email, 'test')).token;
        };
        const admin = { authorization: `Bearer ${await tokenOf(w.admin)}` };
        const techA = { authorization: `Bearer ${await tokenOf(w.techA)}` };
        const reqA = { authorization: `Bearer ${await tokenOf(w.requesterA)}` };
        // A held mail of ticket B (a stranger) and one of ticket A (rate-limited participant).
        const strangerB = await deliver(
          mail(
            {
              From: 'Carol <carol@partner.example>',
              To: `desk@${DOMAIN}`,
              Subject: 'Re: laptop',
              'Message-ID': newMessageId(),
              References: toReqB.messageIdHeader,
            },
            'I am Rita’s manager: approved.',
          ),
        );
        assert.equal(strangerB.status, 'held');
        const heldA = await deliver(
          mail(
            {
              From: w.requesterA.email,
              To: `desk@${DOMAIN}`,
              Subject: 'Re: x',
              'Message-ID': newMessageId(),
              References: toReqA.messageIdHeader,
            },
            'Held by the cap.',
          ),
          {},
          { perSenderPerMinute: 0, maxAttempts: 5 },
        );
        assert.equal(heldA.reason, 'rate-limited');
        assert.equal(heldA.ticketId, w.ticketA.id, 'held before matching, it still names the ticket the matcher finds');

        const list = async (headers: Record<string, string>) =>
          app.inject({ method: 'GET', url: '/api/v1/inbound-mail?status=held&limit=100', headers });
        assert.equal((await list(reqA)).statusCode, 403);
        const adminIds = (await list(admin)).json().items.map((m: { id: number }) => m.id);
        assert.ok(adminIds.includes(strangerB.id) && adminIds.includes(heldA.id));
        const techIds = (await list(techA)).json().items.map((m: { id: number }) => m.id);
        assert.ok(techIds.includes(heldA.id));
        assert.ok(!techIds.includes(strangerB.id), 'ticket B is not technician A’s');
        assert.equal(
          (await app.inject({ method: 'GET', url: `/api/v1/inbound-mail/${strangerB.id}`, headers: techA })).statusCode,
          404,
        );

        const detail = await app.inject({ method: 'GET', url: `/api/v1/inbound-mail/${heldA.id}`, headers: techA });
        assert.equal(detail.statusCode, 200);
        assert.equal(detail.json().text, 'Held by the cap.');
        assert.equal(detail.json().from.address, w.requesterA.email);
        const raw = await app.inject({ method: 'GET', url: `/api/v1/inbound-mail/${heldA.id}/raw`, headers: techA });
        assert.equal(raw.statusCode, 200);
        assert.match(raw.headers['content-type'] as string, /message\/rfc822/);
        assert.match(raw.headers['content-disposition'] as string, /attachment/);
        assert.match(raw.body, /Held by the cap\./);

        // The participant's held mail: attached as their own message, the technician notified.
        const attached = await app.inject({
          method: 'POST',
          url: `/api/v1/inbound-mail/${heldA.id}/attach`,
          headers: techA,
          payload: { ticketNumber: w.ticketA.number },
        });
        assert.equal(attached.statusCode, 200, attached.body);
        assert.equal(attached.json().message.author.id, w.requesterA.id);
        assert.equal(attached.json().message.source, 'email');
        assert.equal(attached.json().mail.status, 'posted');
        assert.equal(attached.json().mail.resolvedById, w.techA.id);
        const again = await app.inject({
          method: 'POST',
          url: `/api/v1/inbound-mail/${heldA.id}/attach`,
          headers: techA,
          payload: { ticketNumber: w.ticketA.number },
        });
        assert.equal(again.statusCode, 409);
        assert.equal(again.json().code, 'INBOUND_MAIL_NOT_PENDING');

        // The stranger's mail: the reviewer's internal note quoting it; nobody is mailed.
        const note = await app.inject({
          method: 'POST',
          url: `/api/v1/inbound-mail/${strangerB.id}/attach`,
          headers: admin,
          payload: { ticketNumber: w.ticketB.number },
        });
        assert.equal(note.statusCode, 200, note.body);
        assert.equal(note.json().message.author.id, w.admin.id);
        assert.equal(note.json().message.internal, true);
        assert.match(
          note.json().message.text,
          /^Mail from Carol <carol@partner\.example> \(inbound mail #\d+\):\n\nI am Rita’s manager: approved\.$/,
        );
        assert.deepEqual(note.json().notifications, []);

        // Mail of no ticket: the support mailbox's team (parameter 9016, here technician A's group) reviews it.
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.SUPPORT_MAILBOX_TEAM, w.groupA);
        const toDiscard = await deliver(
          mail(
            { From: 'spam@example.org', To: `desk@${DOMAIN}`, Subject: 'Offer', 'Message-ID': newMessageId() },
            'Buy now.',
          ),
        );
        const discarded = await app.inject({
          method: 'POST',
          url: `/api/v1/inbound-mail/${toDiscard.id}/discard`,
          headers: techA,
        });
        assert.equal(discarded.statusCode, 200);
        assert.equal(discarded.json().status, 'discarded');
        assert.equal(
          (await app.inject({ method: 'POST', url: `/api/v1/inbound-mail/${toDiscard.id}/discard`, headers: techA }))
            .statusCode,
          409,
        );
        const missing = await app.inject({ method: 'POST', url: '/api/v1/inbound-mail/99999/discard', headers: admin });
        assert.deepEqual([missing.statusCode, missing.json().code], [404, 'INBOUND_MAIL_NOT_FOUND']);
        const bad = await app.inject({
          method: 'POST',
          url: `/api/v1/inbound-mail/${toDiscard.id}/attach`,
          headers: admin,
          payload: { ticketNumber: 'x' },
        });
        assert.deepEqual([bad.statusCode, bad.json().code], [400, 'VALIDATION_FAILED']);
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.SUPPORT_MAILBOX_TEAM, null);
      } finally {
        await app.close();
      }
    });
  });
}
