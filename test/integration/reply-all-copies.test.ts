/**
 * Reply-all and copies by mail, on SQLite and PostgreSQL (issue 15, inbound half). A reply-all from a ticket's copy
 * carries the requester's reply address: posted as the copy when the copy's sender is verified (a trusted
 * Authentication-Results), else held as `copy-unverified` and posted as the copy by a reviewer's one click ("post as",
 * through the API); a stranger's reply-all, or a non-participant's, with the same valid reply address is held. The
 * people in the To and Cc of a requester's mail that opens or answers a ticket become its copies as parameter 9036
 * says (never, same-domain, anyone), never an address of ours.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { setTicketCopies } from '../../src/domain/tickets/set-ticket-copies.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { authResults, trustedInbound } from '../support/trusted-inbound.ts';

const NINA = { email: 'nina@partner.example', name: 'Nina Copy' };
let counter = 0;

const verified = (domain: string) => authResults(domain);
const unverified = (domain: string) => authResults(domain, false);

for (const database of [sqliteMemory, postgres]) {
  describe(`reply-all and copies by mail, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let w: World;
    let app: FastifyInstance;
    let tech: Client;
    /** The notification requester A got on ticket A: its reply address is signed for requester A. */
    let toRequester: { messageIdHeader: string; threadId: string | null; replyTo: string | null };

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      w = await buildWorld(deps);
      inbound = trustedInbound(deps, { ownRecipients: ['help@other-desk.example'] });
      await setTicketCopies(deps, w.techA, w.ticketA.number, [NINA]);
      const fromTech = await postMessage(deps, w.techA, {
        ticketNumber: w.ticketA.number,
        text: 'Please restart the printer.',
        source: 'desk',
      });
      toRequester = (await storage.outbox.outboxOfMessages([fromTech.message.id])).find(
        (e) => e.toAddress === w.requesterA.email,
      )!;
      assert.ok(toRequester?.replyTo);
      app = await testApp(deps);
      tech = await signIn(app, w.techA.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    async function deliver(raw: Buffer, envelopeFrom: string, envelopeTo: string[]): Promise<InboundMail> {
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom,
        envelopeTo,
        remoteAddress: '127.0.0.1',
      });
      return (await processInboundMail(inbound, id))!;
    }

    /** A reply-all to the requester's notification: To the requester's reply address, Cc the requester. */
    const replyAll = (from: { email: string; name: string }, text: string, authResults: string) =>
      deliver(
        eml('reply-all-en', {
          AUTH_RESULTS: authResults,
          FROM: from.email,
          FROM_NAME: from.name,
          TO: toRequester.replyTo!,
          CC: `${w.requesterA.name} <${w.requesterA.email}>`,
          MESSAGE_ID: `<reply-all.${++counter}.${Date.now()}@partner.example>`,
          IN_REPLY_TO: toRequester.messageIdHeader,
          REFERENCES: `${toRequester.threadId} ${toRequester.messageIdHeader}`,
          TICKET: w.ticketA.number,
          TEXT: text,
        }),
        from.email,
        [toRequester.replyTo!],
      );

    const messageOf = async (ticketId: number, id: number | null) =>
      (await storage.messages.listMessages(ticketId, true)).find((m) => m.id === id);
    const nina = async () => (await storage.people.findUserByEmail(NINA.email))!;

    it('a reply-all from a copy with the requester’s reply address and a verified sender is posted as the copy', async () => {
      const m = await replyAll(NINA, 'Restarted here too, it works.', verified('partner.example'));
      assert.deepEqual([m.status, m.reason], ['posted', 'reply'], m.reasonText ?? '');
      const message = await messageOf(w.ticketA.id, m.messageId);
      assert.equal(message?.authorId, (await nina()).id, 'posted as the copy, not as the requester');
      assert.equal(message?.internal, false);
    });

    it('the same unverified is held as copy-unverified, and "post as" through the API posts it as the copy', async () => {
      const m = await replyAll(NINA, 'Still jammed on my floor.', unverified('partner.example'));
      assert.deepEqual([m.status, m.reason], ['held', 'copy-unverified'], m.reasonText ?? '');
      assert.equal(m.ticketId, w.ticketA.id);
      assert.match(m.reasonText ?? '', /Nina Copy <nina@partner\.example>/);
      assert.equal(await messageOf(w.ticketA.id, m.messageId), undefined);

      // A requester cannot; a mail that is not a held reply-all of a copy cannot be "posted as".
      const requester = await signIn(app, w.requesterA.email);
      assert.equal((await requester.post(`/api/v1/inbound-mail/${m.id}/post-as-sender`)).statusCode, 403);

      const response = await tech.post(`/api/v1/inbound-mail/${m.id}/post-as-sender`);
      assert.equal(response.statusCode, 200, response.body);
      const body = response.json();
      assert.equal(body.mail.status, 'posted');
      assert.equal(body.mail.resolvedById, w.techA.id, 'recorded as the reviewer’s decision');
      assert.equal(body.message.author.id ?? body.message.authorId, (await nina()).id);
      const message = await messageOf(w.ticketA.id, body.mail.messageId);
      assert.equal(message?.authorId, (await nina()).id);
      assert.equal(message?.internal, false);

      const again = await tech.post(`/api/v1/inbound-mail/${m.id}/post-as-sender`);
      assert.equal(again.statusCode, 409, 'decided once');
    });

    // threat: A reply-all carrying the requester's valid reply address, from a stranger or from a copy whose sender is not verified
    it('a stranger’s reply-all with the requester’s valid reply address is held, and cannot be "posted as"', async () => {
      const stranger = await replyAll(
        { email: 'stranger@partner.example', name: 'Sam Stranger' },
        'Me too!',
        verified('partner.example'),
      );
      assert.equal(stranger.status, 'held', stranger.reasonText ?? '');
      assert.notEqual(stranger.reason, 'copy-unverified');
      const refused = await tech.post(`/api/v1/inbound-mail/${stranger.id}/post-as-sender`);
      assert.equal(refused.statusCode, 409);

      // A known user who takes no part in the ticket, verified: held as before (the address is not theirs).
      const other = await replyAll(
        { email: w.requesterB.email, name: w.requesterB.name },
        'Not my ticket, but hello.',
        verified('example.test'),
      );
      assert.deepEqual([other.status, other.reason], ['held', 'token-recipient-mismatch'], other.reasonText ?? '');
    });

    describe('copies from a requester’s mail (parameter 9036)', () => {
      const COLLEAGUE = 'carla@example.test';
      const OUTSIDER = 'otto@outside.example';
      const OURS = 'Desk <desk@example.test>, Other <someone@desk.example.test>, Help <help@other-desk.example>';
      let opened: number;

      const copiesOf = async (ticketNumber: number) => {
        const ticket = (await storage.tickets.findTicketByNumber(ticketNumber))!;
        return (await storage.tickets.ticketCopies(ticket.id)).map((u) => u.email).sort();
      };

      /** The requester's reply (their own reply address, so proven) with a colleague and an outsider in To/Cc. */
      const requesterReply = async (ticketNumber: number, text: string) => {
        const ticket = (await storage.tickets.findTicketByNumber(ticketNumber))!;
        const fromTech = await postMessage(deps, w.admin, { ticketNumber, text: `Question ${text}`, source: 'desk' });
        const note = (await storage.outbox.outboxOfMessages([fromTech.message.id])).find(
          (e) => e.toAddress === w.requesterA.email,
        )!;
        const m = await deliver(
          eml('request-with-cc-en', {
            AUTH_RESULTS: unverified('example.test'),
            MESSAGE_ID: `<cc.${++counter}.${Date.now()}@example.test>`,
            SUBJECT: `Re: [#${ticketNumber}] ${ticket.title}`,
            FROM: w.requesterA.email,
            FROM_NAME: w.requesterA.name,
            TO: note.replyTo!,
            COLLEAGUE,
            OUTSIDER,
            OURS,
            TEXT: text,
          }),
          w.requesterA.email,
          [note.replyTo!],
        );
        assert.deepEqual([m.status, m.reason], ['posted', 'reply'], m.reasonText ?? '');
        return m;
      };

      it('same-domain (the default): a mail that opens a ticket copies the colleague, not the outsider, never us', async () => {
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, true);
        const m = await deliver(
          eml('request-with-cc-en', {
            AUTH_RESULTS: verified('example.test'),
            MESSAGE_ID: `<open.${++counter}.${Date.now()}@example.test>`,
            SUBJECT: 'The scanner is offline',
            FROM: w.requesterA.email,
            FROM_NAME: w.requesterA.name,
            TO: 'desk@example.test',
            COLLEAGUE,
            OUTSIDER,
            OURS,
            TEXT: 'The scanner on the 2nd floor is offline.',
          }),
          w.requesterA.email,
          ['desk@example.test'],
        );
        assert.deepEqual([m.status, m.reason], ['posted', 'new-ticket'], m.reasonText ?? '');
        opened = m.ticketId!;
        assert.deepEqual(await copiesOf(opened), [COLLEAGUE]);
        const carla = (await storage.people.findUserByEmail(COLLEAGUE))!;
        assert.equal(carla.role, 'requester');
        assert.equal(carla.name, 'Carla Colleague');
        assert.equal(carla.passwordHash, null, 'a password-less requester');
        const events = await storage.tickets.ticketEvents(opened);
        const added = events.filter((e) => e.kind === 'copy_added');
        assert.deepEqual(
          added.map((e) => [e.to, e.actorId]),
          [[String(carla.id), w.requesterA.id]],
          'recorded as the requester’s change',
        );
        for (const ours of ['desk@example.test', 'someone@desk.example.test', 'help@other-desk.example'])
          assert.equal(await storage.people.findUserByEmail(ours), undefined, `${ours} is never made a user`);
      });

      it('never: a requester’s reply copies no one; anyone: the outsider too; a copy’s own reply-all copies no one', async () => {
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.COPIES_FROM_MAIL, 'never');
        const number = (await storage.tickets.findTicketByNumber(opened))?.number ?? opened;
        await setTicketCopies(deps, w.admin, number, []);
        await requesterReply(number, 'never');
        assert.deepEqual(await copiesOf(number), []);

        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.COPIES_FROM_MAIL, 'anyone');
        const m = await requesterReply(number, 'anyone');
        assert.deepEqual(await copiesOf(number), [COLLEAGUE, OUTSIDER].sort());
        assert.equal(m.ticketId, opened);

        // Nina (a copy of ticket A, not its requester) adds no one by her reply-all.
        const before = await copiesOf(w.ticketA.number);
        await replyAll(NINA, 'One more thing.', verified('partner.example'));
        assert.deepEqual(await copiesOf(w.ticketA.number), before);
      });

      it('a parameter value outside never/same-domain/anyone is refused', async () => {
        await assert.rejects(setParameter(deps, CLI_ORIGIN, w.admin, PARAM.COPIES_FROM_MAIL, 'everyone'), {
          code: 'PARAMETER_INVALID',
        });
      });
    });
  });
}
