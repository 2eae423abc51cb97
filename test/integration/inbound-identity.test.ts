/**
 * Who wrote a mail, through the real SMTP receiver on SQLite and PostgreSQL: a `From` line is a claim, never an
 * identity. A mail posts as a person only from the reply address signed for them, or when its sender is verified
 * (DMARC pass aligned with From: DKIM checked on the raw mail against keys made here and served by this test's own
 * DNS zone, or the topmost `Authentication-Results` of a trusted authserv-id). Staff post by mail only from their
 * signed reply address. Everything else is held as "sender not verified", never posted nor mailed on.
 */
import assert from 'node:assert/strict';
import { generateKeyPairSync, type KeyObject } from 'node:crypto';
import { after, before, beforeEach, describe, it } from 'node:test';
import { dkimSign } from 'mailauth';
import nodemailer from 'nodemailer';
import { MailauthSenderVerifier, type DnsResolve } from '../../src/adapters/inbound/mailauth-sender-verifier.ts';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from '../../src/adapters/inbound/smtp-receiver.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const TRUSTED = 'mx.trusted.test';
const silentLog = { info() {}, warn() {}, error() {} };
const CAP = 5;

/** A DNS zone of this test's own: TXT records by name (DKIM keys, DMARC policies, SPF). */
class Zone {
  private readonly txt = new Map<string, string[][]>();
  add(name: string, text: string) {
    const chunks = text.match(/.{1,200}/g) ?? [''];
    this.txt.set(name.toLowerCase(), [...(this.txt.get(name.toLowerCase()) ?? []), chunks]);
  }
  readonly resolve: DnsResolve = async (name, rrtype) => {
    const found = rrtype === 'TXT' ? this.txt.get(name.toLowerCase()) : undefined;
    if (!found) throw Object.assign(new Error(`query${rrtype} ENOTFOUND ${name}`), { code: 'ENOTFOUND' });
    return found;
  };
}

function dkimKey(zone: Zone, selector: string, domain: string): KeyObject {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  zone.add(
    `${selector}._domainkey.${domain}`,
    `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`,
  );
  return privateKey;
}

async function signed(raw: Buffer, domain: string, selector: string, key: KeyObject): Promise<Buffer> {
  // mailauth's types name the one-signature form; its code signs from `signatureData`.
  // `signTime` fixes `t=`: without it mailauth (4.13.3) computes `t=` twice, as Math.round(Date.now() / 1000), once
  // for the header it signs and again, after the RSA signing, for the header it writes; when a x.500 s instant falls
  // between the two, the written `t=` is one more than the signed one and the mail fails as `dkim=fail (bad signature)`.
  const options = {
    canonicalization: 'relaxed/relaxed',
    signTime: new Date(),
    signatureData: [
      { signingDomain: domain, selector, privateKey: key.export({ type: 'pkcs8', format: 'pem' }).toString() },
    ],
  };
  const { signatures } = await dkimSign(raw, options as unknown as Parameters<typeof dkimSign>[1]);
  assert.match(signatures, /^DKIM-Signature: /, 'the mail is signed');
  return Buffer.concat([Buffer.from(signatures), raw]);
}

const ar = (authserv: string, result: string, domain: string) =>
  `${authserv}; spf=${result} smtp.mailfrom=${domain}; dmarc=${result} header.from=${domain}`;

for (const database of [sqliteMemory, postgres]) {
  describe(`who wrote a mail, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let w: World;
    let clock: TestClock;
    let ingestor: InboundIngestor;
    let receiver: SmtpReceiver;
    let goodKey: KeyObject;
    let evilKey: KeyObject;
    /** The notification requester A got on ticket A (its reply address is signed for requester A). */
    let toRequester: { messageIdHeader: string; threadId: string | null; replyTo: string | null };
    /** The notification technician A got on ticket A (its reply address is signed for technician A). */
    let toTech: { messageIdHeader: string; threadId: string | null; replyTo: string | null };
    let counter = 0;
    const zone = new Zone();

    before(async () => {
      ({ storage, drop } = await database.open());
      clock = new TestClock();
      const base = testDeps(storage, clock);
      w = await buildWorld(base);
      // example.test (every person of the world) publishes a DMARC policy and a DKIM key; evil.example signs too.
      zone.add('_dmarc.example.test', 'v=DMARC1; p=reject');
      goodKey = dkimKey(zone, 's1', 'example.test');
      evilKey = dkimKey(zone, 'e1', 'evil.example');
      zone.add('_dmarc.evil.example', 'v=DMARC1; p=none');
      const deps: InboundDeps = {
        ...base,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: CAP, maxAttempts: 5 },
        senderVerifier: new MailauthSenderVerifier({
          trustedAuthservIds: [TRUSTED],
          resolve: zone.resolve,
          mta: 'parley.test',
        }),
      };
      await setParameter(base, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, true);
      const fromTech = await postMessage(base, w.techA, {
        ticketNumber: w.ticketA.number,
        text: 'Please restart the printer.',
        source: 'desk',
      });
      toRequester = (await storage.outbox.outboxOfMessages([fromTech.message.id])).find(
        (e) => e.toAddress === w.requesterA.email,
      )!;
      const fromRequester = await postMessage(base, w.requesterA, {
        ticketNumber: w.ticketA.number,
        text: 'It still jams.',
        source: 'portal',
      });
      toTech = (await storage.outbox.outboxOfMessages([fromRequester.message.id])).find(
        (e) => e.toAddress === w.techA.email,
      )!;
      assert.ok(toRequester?.replyTo && toTech?.replyTo);
      ingestor = new InboundIngestor(deps, { sweepMs: 60_000, concurrency: 2, log: silentLog });
      receiver = new SmtpReceiver({
        host: '127.0.0.1',
        port: 0,
        name: 'desk.example.test',
        maxBytes: 25 * 1024 * 1024,
        ...ingestor.receiverHooks(),
      });
      await ingestor.start(receiver);
    });
    // Each test in a minute of its own: the per-sender cap counts per minute.
    beforeEach(() => clock.advance(2 * 60_000));
    after(async () => {
      await ingestor.stop();
      await storage.close();
      await drop();
    });

    /** Sends a mail over SMTP as a client at 127.0.0.1 would, and waits until it is decided. */
    async function send(raw: Buffer, envelope: { from: string; to?: string[] }): Promise<InboundMail> {
      const transport = nodemailer.createTransport({
        host: '127.0.0.1',
        port: receiver.port,
        secure: false,
        ignoreTLS: true,
        name: 'client.example.test',
      });
      try {
        const info = await transport.sendMail({
          envelope: { from: envelope.from, to: envelope.to ?? ['desk@example.test'] },
          raw,
        });
        const id = Number(/stored as inbound mail (\d+)/.exec(info.response)?.[1]);
        assert.ok(id > 0, info.response);
        let done: InboundMail | undefined;
        await waitUntil(
          async () => (done = await storage.inbound.findInboundMail(id))?.status !== 'received',
          `inbound mail ${id} decided`,
        );
        return done!;
      } finally {
        transport.close();
      }
    }
    const messageId = () => `<identity.${++counter}.${Date.now()}@mail.example.test>`;
    const thread = async () => (await storage.messages.listMessages(w.ticketA.id, true)).length;
    const ticketCount = async () => {
      let n = 0;
      while (await storage.tickets.findTicketByNumber(n + 1)) n++;
      return n;
    };
    const heldUnverified = (m: InboundMail) =>
      assert.deepEqual([m.status, m.reason], ['held', 'sender-not-verified'], m.reasonText ?? '');

    // threat: `From: <a technician>` with `[#n]` in the subject or our thread id in `References`, from any envelope sender and with no DKIM
    it('holds a forged technician’s mail naming the ticket by [#n] or by our thread id: nothing posted, nothing mailed on', async () => {
      const before = await thread();
      const bySubject = await send(
        mail(
          {
            From: `"${w.techA.name}" <${w.techA.email}>`,
            To: 'desk@example.test',
            Subject: `Re: [#${w.ticketA.number}] reset your password at http://evil.example`,
            'Message-ID': messageId(),
          },
          'Reset it at http://evil.example now.',
        ),
        { from: 'attacker@evil.example' },
      );
      heldUnverified(bySubject);
      assert.equal(bySubject.ticketId, w.ticketA.id, 'held for those who can see the ticket it names');
      const byThread = await send(
        mail(
          {
            From: w.techA.email,
            To: 'desk@example.test',
            Subject: 'Re: printer',
            'Message-ID': messageId(),
            References: `${toRequester.threadId} ${toRequester.messageIdHeader}`,
          },
          'Reset it.',
        ),
        { from: w.techA.email },
      );
      heldUnverified(byThread);
      assert.equal(await thread(), before, 'nothing posted, so nothing is mailed to the requester');
    });

    it('holds a technician’s mail even with DMARC pass: staff post by mail only from their signed reply address', async () => {
      const before = await thread();
      const raw = mail(
        {
          From: w.techA.email,
          To: 'desk@example.test',
          Subject: 'Re: printer',
          'Message-ID': messageId(),
          References: toRequester.messageIdHeader,
        },
        'Signed by the domain, but no reply address.',
      );
      heldUnverified(await send(await signed(raw, 'example.test', 's1', goodKey), { from: w.techA.email }));
      const withToken = await send(
        mail(
          { From: w.techA.email, To: toTech.replyTo!, Subject: 'Re: printer', 'Message-ID': messageId() },
          'Ordered a new roller.',
        ),
        {
          from: w.techA.email,
          to: [toTech.replyTo!],
        },
      );
      assert.deepEqual([withToken.status, withToken.reason], ['posted', 'reply'], withToken.reasonText ?? '');
      const posted = (await storage.messages.listMessages(w.ticketA.id, true)).find(
        (m) => m.id === withToken.messageId,
      );
      assert.equal(posted?.authorId, w.techA.id);
      assert.equal(await thread(), before + 1);
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket
    it('posts a requester’s reply to their signed reply address, and holds the same words sent to the support address unverified', async () => {
      const before = await thread();
      const unverified = await send(
        mail(
          {
            From: w.requesterA.email,
            To: 'desk@example.test',
            Subject: 'Re: printer',
            'Message-ID': messageId(),
            References: toRequester.messageIdHeader,
          },
          'Restarted.',
        ),
        {
          from: w.requesterA.email,
        },
      );
      heldUnverified(unverified);
      const withToken = await send(
        mail(
          { From: w.requesterA.email, To: toRequester.replyTo!, Subject: 'Re: printer', 'Message-ID': messageId() },
          'Restarted.',
        ),
        {
          from: w.requesterA.email,
          to: [toRequester.replyTo!],
        },
      );
      assert.equal(withToken.status, 'posted', withToken.reasonText ?? '');
      assert.equal(await thread(), before + 1);
    });

    it('believes Authentication-Results only from a trusted authserv-id, only the topmost, and only a pass for the From domain', async () => {
      const reply = (headers: Record<string, string>, text: string) =>
        mail(
          {
            ...headers,
            From: w.requesterA.email,
            To: 'desk@example.test',
            Subject: 'Re: printer',
            'Message-ID': messageId(),
            References: toRequester.messageIdHeader,
          },
          text,
        );
      const before = await thread();
      heldUnverified(
        await send(
          reply({ 'Authentication-Results': ar('mx.untrusted.test', 'pass', 'example.test') }, 'Untrusted pass.'),
          { from: w.requesterA.email },
        ),
      );
      const failed = await send(
        reply({ 'Authentication-Results': ar(TRUSTED, 'fail', 'example.test') }, 'Trusted fail.'),
        { from: w.requesterA.email },
      );
      assert.equal(failed.status, 'held');
      assert.ok(
        ['sender-not-verified', 'sender-authentication-failed'].includes(failed.reason ?? ''),
        failed.reason ?? '',
      );
      heldUnverified(
        await send(
          reply({ 'Authentication-Results': ar(TRUSTED, 'pass', 'evil.example') }, 'Pass for another domain.'),
          { from: w.requesterA.email },
        ),
      );
      // A trusted-looking header below an untrusted one was written before the trusted server saw the mail: the sender's.
      const below = Buffer.concat([
        Buffer.from(`Authentication-Results: ${ar('mx.untrusted.test', 'none', 'example.test')}\r\n`),
        reply({ 'Authentication-Results': ar(TRUSTED, 'pass', 'example.test') }, 'Inserted by the sender.'),
      ]);
      heldUnverified(await send(below, { from: w.requesterA.email }));
      assert.equal(await thread(), before);
      const trusted = await send(
        reply(
          {
            'Authentication-Results': `${TRUSTED} 1; dkim=pass (good signature) header.d=example.test; dmarc=pass (p=reject) header.from=example.test`,
          },
          'Trusted pass.',
        ),
        {
          from: w.requesterA.email,
        },
      );
      assert.deepEqual([trusted.status, trusted.reason], ['posted', 'reply'], trusted.reasonText ?? '');
      assert.equal(await thread(), before + 1);
    });

    // threat: `From: <a technician>` with `[#n]` in the subject or our thread id in `References`, from any envelope sender and with no DKIM
    it('believes only the topmost trusted Authentication-Results: a forged one below it, even with a trusted id, is not', async () => {
      const before = await thread();
      // The trusted server checked SPF only; the sender wrote the DMARC pass below it, under the trusted id.
      const forged = Buffer.concat([
        Buffer.from(
          `Authentication-Results: ${TRUSTED}; spf=none smtp.mailfrom=evil.example\r\n` +
            `Received: from evil.example ([203.0.113.9]) by ${TRUSTED}\r\n` +
            `Authentication-Results: ${TRUSTED}; dmarc=pass header.from=example.test\r\n`,
        ),
        mail(
          {
            From: w.requesterA.email,
            To: 'desk@example.test',
            Subject: 'Re: printer',
            'Message-ID': messageId(),
            References: toRequester.threadId!,
          },
          'Written by someone else.',
        ),
      ]);
      // Parley's own check decides: no DKIM, no SPF record for example.test, so DMARC fails.
      const held = await send(forged, { from: 'x@evil.example' });
      heldUnverified(held);
      assert.doesNotMatch(held.reasonText ?? '', /mx\.trusted\.test: dmarc=pass/);
      assert.equal(await thread(), before);
    });

    it('decides on authentication only from the trusted DMARC result: SPF fail or an untrusted fail never holds', async () => {
      const before = await thread();
      const toToken = (authenticationResults: string[], text: string) =>
        Buffer.concat([
          Buffer.from(authenticationResults.map((v) => `Authentication-Results: ${v}\r\n`).join('')),
          mail(
            { From: w.requesterA.email, To: toRequester.replyTo!, Subject: 'Re: printer', 'Message-ID': messageId() },
            text,
          ),
        ]);
      // Forwarded mail: SPF fails at the trusted server, DKIM and so DMARC pass.
      const forwarded = await send(
        toToken(
          [
            `${TRUSTED}; spf=fail smtp.mailfrom=example.test; dkim=pass header.d=example.test; dmarc=pass header.from=example.test`,
          ],
          'Forwarded by my old address.',
        ),
        { from: 'fwd@elsewhere.example', to: [toRequester.replyTo!] },
      );
      assert.deepEqual([forwarded.status, forwarded.reason], ['posted', 'reply'], forwarded.reasonText ?? '');
      // A failure reported by a server nobody trusts, below the trusted header, says nothing.
      const oldHop = await send(
        toToken(
          [
            `${TRUSTED}; spf=none smtp.mailfrom=example.test`,
            'old.hop.example; spf=fail smtp.mailfrom=example.test; dmarc=fail header.from=example.test',
          ],
          'Through an old hop.',
        ),
        { from: w.requesterA.email, to: [toRequester.replyTo!] },
      );
      assert.deepEqual([oldHop.status, oldHop.reason], ['posted', 'reply'], oldHop.reasonText ?? '');
      assert.equal(await thread(), before + 2);
    });

    // threat: A reply from an address that is not a participant, a reply token altered or reused on another ticket
    it('holds a reply through the signed reply address when the trusted server says DMARC failed for its From', async () => {
      const before = await thread();
      const raw = Buffer.concat([
        Buffer.from(
          `Authentication-Results: ${TRUSTED}; spf=pass smtp.mailfrom=example.test; dmarc=fail header.from=example.test\r\n`,
        ),
        mail(
          { From: w.requesterA.email, To: toRequester.replyTo!, Subject: 'Re: printer', 'Message-ID': messageId() },
          'Someone read my reply address.',
        ),
      ]);
      const held = await send(raw, { from: w.requesterA.email, to: [toRequester.replyTo!] });
      assert.deepEqual([held.status, held.reason], ['held', 'sender-authentication-failed'], held.reasonText ?? '');
      assert.match(held.reasonText ?? '', /mx\.trusted\.test: dmarc=fail header\.from=example\.test/);
      assert.equal(await thread(), before);
    });

    it('holds a mail naming several senders, in one From header or in two, even with a trusted DMARC pass', async () => {
      const before = await thread();
      const withFroms = (froms: string[], text: string) =>
        Buffer.concat([
          Buffer.from(
            `Authentication-Results: ${ar(TRUSTED, 'pass', 'example.test')}\r\n` +
              froms.map((f) => `From: ${f}\r\n`).join(''),
          ),
          mail(
            {
              To: 'desk@example.test',
              Subject: 'Re: printer',
              'Message-ID': messageId(),
              References: toRequester.threadId!,
            },
            text,
          ),
        ]);
      const several = (m: InboundMail) =>
        assert.deepEqual([m.status, m.reason], ['held', 'several-senders'], m.reasonText ?? '');
      several(
        await send(withFroms([`${w.requesterA.email}, x@evil.example`], 'One header.'), { from: 'x@evil.example' }),
      );
      // The parser keeps the first From header only; the second one is counted all the same.
      several(
        await send(withFroms([w.requesterA.email, 'x@evil.example'], 'Two headers.'), { from: 'x@evil.example' }),
      );
      assert.equal(await thread(), before);
    });

    it('verifies DKIM itself: a signature aligned with From posts; the body changed after signing, or another domain’s signature, is held', async () => {
      const before = await thread();
      const raw = mail(
        {
          From: `"${w.requesterA.name}" <${w.requesterA.email}>`,
          To: 'desk@example.test',
          Subject: 'Re: printer',
          'Message-ID': messageId(),
          References: toRequester.messageIdHeader,
        },
        'Signed by my domain.',
      );
      const good = await send(await signed(raw, 'example.test', 's1', goodKey), { from: 'bounces@example.test' });
      assert.deepEqual([good.status, good.reason], ['posted', 'reply'], good.reasonText ?? '');
      assert.equal(
        (await storage.messages.listMessages(w.ticketA.id, true)).find((m) => m.id === good.messageId)?.authorId,
        w.requesterA.id,
      );

      const original = mail(
        {
          From: w.requesterA.email,
          To: 'desk@example.test',
          Subject: 'Re: printer',
          'Message-ID': messageId(),
          References: toRequester.messageIdHeader,
        },
        'Pay the invoice to account 1.',
      );
      const tampered = Buffer.from(
        (await signed(original, 'example.test', 's1', goodKey)).toString('utf8').replace('account 1', 'account 666'),
      );
      const held = await send(tampered, { from: 'bounces@example.test' });
      heldUnverified(held);
      assert.match(held.reasonText ?? '', /dmarc=fail/);

      const foreign = mail(
        {
          From: w.requesterA.email,
          To: 'desk@example.test',
          Subject: 'Re: printer',
          'Message-ID': messageId(),
          References: toRequester.messageIdHeader,
        },
        'Signed by evil.example.',
      );
      heldUnverified(await send(await signed(foreign, 'evil.example', 'e1', evilKey), { from: 'x@evil.example' }));
      assert.equal(await thread(), before + 1);
    });

    it('opens a ticket only for a verified requester; a spoofed requester opens none', async () => {
      const tickets = await ticketCount();
      const request = () =>
        mail(
          {
            From: w.requesterA.email,
            To: 'desk@example.test',
            Subject: 'The scanner is broken',
            'Message-ID': messageId(),
          },
          'It shows error E42.',
        );
      const spoofed = await send(request(), { from: 'attacker@evil.example' });
      heldUnverified(spoofed);
      assert.equal(await ticketCount(), tickets);
      const opened = await send(await signed(request(), 'example.test', 's1', goodKey), { from: w.requesterA.email });
      assert.deepEqual([opened.status, opened.reason], ['posted', 'new-ticket'], opened.reasonText ?? '');
      assert.equal(await ticketCount(), tickets + 1);
      assert.equal((await storage.tickets.findTicketByNumber(tickets + 1))?.requesterId, w.requesterA.id);
    });

    // threat: A spoofed `From` of a requester, sent in bulk
    it('counts spoofed mail apart: a flood claiming to be requester B never gets B’s own verified mail held', async () => {
      clock.advance(5 * 60_000);
      const [toB] = (
        await storage.outbox.outboxOfMessages([
          (
            await postMessage(testDeps(storage, clock), w.techB, {
              ticketNumber: w.ticketB.number,
              text: 'Ready.',
              source: 'desk',
            })
          ).message.id,
        ])
      ).filter((e) => e.toAddress === w.requesterB.email);
      const spoof = () =>
        mail(
          {
            From: w.requesterB.email,
            To: 'desk@example.test',
            Subject: 'Re: laptop',
            'Message-ID': messageId(),
            References: toB!.messageIdHeader,
          },
          'Spam.',
        );
      const flood = await Promise.all(
        Array.from({ length: CAP + 3 }, () => send(spoof(), { from: 'bulk@evil.example' })),
      );
      assert.ok(flood.every((m) => m.status === 'held'));
      assert.ok(
        flood.some((m) => m.reason === 'rate-limited'),
        'the flood itself is capped',
      );
      const real = await send(
        await signed(
          mail(
            {
              From: w.requesterB.email,
              To: 'desk@example.test',
              Subject: 'Re: laptop',
              'Message-ID': messageId(),
              References: toB!.messageIdHeader,
            },
            'Thanks, picking it up.',
          ),
          'example.test',
          's1',
          goodKey,
        ),
        { from: w.requesterB.email },
      );
      assert.deepEqual([real.status, real.reason], ['posted', 'reply'], real.reasonText ?? '');
    });

    it('checks SPF on the envelope sender and the address the receiver saw: aligned SPF pass posts, an address SPF does not list is held', async () => {
      // spf.example lists 127.0.0.1 (where this test's client connects from) and publishes DMARC; its mail is not signed.
      zone.add('spf.example', 'v=spf1 ip4:127.0.0.1 -all');
      zone.add('_dmarc.spf.example', 'v=DMARC1; p=quarantine');
      zone.add('other-spf.example', 'v=spf1 ip4:192.0.2.1 -all');
      zone.add('_dmarc.other-spf.example', 'v=DMARC1; p=reject');
      const base = testDeps(storage, clock);
      const make = async (email: string) =>
        (await loadActor(
          storage,
          (
            await createUser(base, CLI_ORIGIN, {
              role: 'requester',
              email,
              name: email,
              locale: 'en-US',
              timeZone: 'UTC',
            })
          ).id,
        ))!;
      const [ana, otto] = [await make('ana@spf.example'), await make('otto@other-spf.example')];
      const ticketOf = async (who: typeof ana) =>
        (await openTicket(base, who, { title: 'VPN drops', description: 'Every hour.', groupId: w.groupA })).number;
      const [anaTicket, ottoTicket] = [await ticketOf(ana), await ticketOf(otto)];
      const posted = await send(
        mail(
          {
            From: ana.email,
            To: 'desk@example.test',
            Subject: `Re: [#${anaTicket}] VPN drops`,
            'Message-ID': messageId(),
          },
          'Still dropping.',
        ),
        { from: ana.email },
      );
      assert.deepEqual([posted.status, posted.reason], ['posted', 'reply'], posted.reasonText ?? '');
      // SPF of another domain than From (not aligned) proves nothing about From.
      heldUnverified(
        await send(
          mail(
            { From: ana.email, To: 'desk@example.test', Subject: `Re: [#${anaTicket}] VPN`, 'Message-ID': messageId() },
            'Relayed.',
          ),
          { from: 'bounce@other-spf.example' },
        ),
      );
      // The receiver saw 127.0.0.1, which other-spf.example does not list.
      heldUnverified(
        await send(
          mail(
            {
              From: otto.email,
              To: 'desk@example.test',
              Subject: `Re: [#${ottoTicket}] VPN`,
              'Message-ID': messageId(),
            },
            'From elsewhere.',
          ),
          { from: otto.email },
        ),
      );
      const stored = await storage.inbound.findInboundMail(posted.id);
      assert.deepEqual(
        [stored?.remoteAddress, stored?.helo, stored?.envelopeFrom],
        ['127.0.0.1', 'client.example.test', ana.email],
        'what the receiver saw is kept',
      );
    });

    // threat: `Precedence: auto_reply`, `X-Autoreply`, `X-Autorespond`, `X-Auto-Response-Suppress` answers
    it('recognises the auto-responder markers of the major servers as loops, even from a verified sender', async () => {
      const before = await thread();
      const markers: Record<string, string>[] = [
        { Precedence: 'auto_reply' },
        { 'X-Autoreply': 'yes' },
        { 'X-Autorespond': 'Out of office' },
        { 'X-Auto-Response-Suppress': 'All' },
        { 'X-AutoReply-From': w.requesterA.email },
        { 'X-Mail-Autoreply': 'dtc-autoreply' },
        { 'X-Autogenerated': 'Reply' },
        { 'X-FC-MachineGenerated': 'true' },
      ];
      for (const marker of markers) {
        const raw = mail(
          {
            ...marker,
            'Authentication-Results': ar(TRUSTED, 'pass', 'example.test'),
            From: w.requesterA.email,
            To: 'desk@example.test',
            Subject: 'Out of office',
            'Message-ID': messageId(),
            References: toRequester.messageIdHeader,
          },
          'I am away until Monday.',
        );
        const done = await send(raw, { from: w.requesterA.email });
        assert.deepEqual([done.status, done.reason], ['loop', 'auto-reply'], JSON.stringify(marker));
      }
      assert.equal(await thread(), before);
    });

    // threat: NUL bytes anywhere in an inbound mail (quoted-printable `=00`, raw, base64, Message-ID)
    it('stores and posts mail with NUL bytes in quoted-printable, base64, the subject and the Message-ID', async () => {
      const before = await thread();
      const boundary = 'nul-boundary';
      const head =
        `Authentication-Results: ${ar(TRUSTED, 'pass', 'example.test')}\r\nFrom: ${w.requesterA.email}\r\nTo: desk@example.test\r\nSubject: Re: printer\u0000 again\r\n` +
        `Message-ID: <nul\u0000.${++counter}@mail.example.test>\r\nReferences: ${toRequester.messageIdHeader}\r\nMIME-Version: 1.0\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n`;
      const body =
        `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\nIt works=00 now.\r\n` +
        `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${Buffer.from('<p>It works\u0000 now.</p>').toString('base64')}\r\n--${boundary}--\r\n`;
      const done = await send(Buffer.from(head + body, 'utf8'), { from: w.requesterA.email });
      assert.deepEqual([done.status, done.reason], ['posted', 'reply'], done.reasonText ?? '');
      assert.equal(done.text, 'It works now.');
      assert.ok(!(done.subject ?? '').includes('\u0000') && !(done.messageIdHeader ?? '').includes('\u0000'));
      assert.ok((await storage.inbound.inboundRaw(done.id))!.includes(0), 'the original keeps its bytes');
      assert.equal(await thread(), before + 1);
    });
  });
}
