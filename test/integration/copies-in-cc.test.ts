/**
 * Copies as in email, end to end on SQLite and PostgreSQL (issue 15, outbound half): a public message on a ticket
 * with copies goes out as ONE mail to the requester with the copies in Cc (its envelope to all), in the requester's
 * language, parsed back from a real SMTP server; a reply-all from a copy is posted as the copy, a stranger's is held;
 * a copy refused at RCPT TO leaves the mail sent, the requester refused fails it; a delivery report about a copy only
 * leaves the mail as it is; erasing a copy removes them from the Cc of the mails that named them; a group that chooses
 * `separate` sends one mail each.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { AddressObject } from 'mailparser';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';
import { authResults, trustedInbound } from '../support/trusted-inbound.ts';

const NINA = { email: 'nina@partner.example', name: 'Nina Parceira, Jr.' };
const addresses = (field: AddressObject | AddressObject[] | undefined) =>
  (Array.isArray(field) ? field : field ? [field] : []).flatMap((a) => a.value.map((v) => [v.name, v.address]));

for (const database of [sqliteMemory, postgres]) {
  describe(`copies as in email (${database.name})`, () => {
    // threat: A notification copying people in Cc
    // threat: A delivery report about a copy (Cc) of a notification
    it('one mail to the requester with the copies in Cc; reply-all, refusals, bounces, erasure and one mail each', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { deps, storage, world, admin, sink } = scene;
      const inbound = trustedInbound(deps);
      let counter = 0;
      const receive = async (raw: Buffer, envelopeFrom: string, envelopeTo: string[]): Promise<InboundMail> => {
        const id = await receiveMail(deps, {
          raw,
          sha256: createHash('sha256').update(raw).digest('hex'),
          envelopeFrom,
          envelopeTo,
          remoteAddress: '127.0.0.1',
        });
        return (await processInboundMail(inbound, id))!;
      };
      try {
        const tech = await scene.signIn(world.techA.email);
        const joao = await scene.signIn(world.requesterA.email);
        const number = world.ticketA.number; // João reads pt-BR, Rita es-ES
        const copies = await tech.put(`/api/v1/tickets/${number}/copies`, {
          copies: [{ email: world.requesterB.email }, NINA],
        });
        assert.equal(copies.statusCode, 200, copies.body);
        const group = (await admin.get('/api/v1/admin/groups'))
          .json()
          .items.find((g: { id: number }) => g.id === world.groupA);
        assert.equal(group.copiesMode, 'cc', 'the default');

        const post = async (text: string) => {
          const posted = await tech.post(`/api/v1/tickets/${number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          return posted.json();
        };

        // ---- one mail, the copies in Cc, the envelope to all three, in the requester's language
        const first = await post('Please restart the printer.');
        assert.equal(first.notifications.length, 1, 'one notification');
        assert.equal(first.notifications[0].to, world.requesterA.email);
        assert.deepEqual(first.notifications[0].cc, [world.requesterB.email, NINA.email]);
        const before = sink.accepted.length;
        const round = await scene.deliver();
        assert.equal(sink.accepted.length - before, 1, 'one mail on the wire');
        const wire = sink.accepted.at(-1)!;
        assert.deepEqual(wire.envelope.rcptTo, [world.requesterA.email, world.requesterB.email, NINA.email]);
        const mail = round.get(world.requesterA.email)!;
        assert.deepEqual(addresses(mail.to), [[world.requesterA.name, world.requesterA.email]]);
        assert.deepEqual(addresses(mail.cc), [
          [world.requesterB.name, world.requesterB.email],
          [NINA.name, NINA.email],
        ]);
        assert.ok(mail.text!.includes('Please restart the printer.'));
        assert.match(mail.text!, /Responda acima desta linha/, 'in João’s language (pt-BR)');
        const replyTo = (mail.replyTo as AddressObject).value[0]!.address!;
        const joaoEntry = (await storage.outbox.outboxOfMessages([first.message.id]))[0]!;
        assert.equal(replyTo, joaoEntry.replyTo, 'João’s own signed reply address');
        assert.ok(!wire.raw.toString('latin1').match(/^Bcc:/im), 'nobody hidden');

        // The thread tells staff the addresses, the requester the names.
        const staffLine = (await tech.get(`/api/v1/tickets/${number}/messages`))
          .json()
          .items.find((m: { id: number }) => m.id === first.message.id).mail[0];
        assert.deepEqual(staffLine.cc, [world.requesterB.email, NINA.email]);
        const joaoView = await joao.get(`/api/v1/tickets/${number}/messages`);
        assert.equal(joaoView.statusCode, 200, joaoView.body);
        const outbox = (await admin.get('/api/v1/admin/outbox'))
          .json()
          .items.find((e: { id: number }) => e.id === joaoEntry.id);
        assert.deepEqual(outbox.cc, [world.requesterB.email, NINA.email]);

        // ---- reply-all from the copy Nina (verified sender): posted as Nina
        const replyAll = (from: { email: string; name: string }, text: string) =>
          receive(
            eml('reply-all-en', {
              AUTH_RESULTS: authResults('partner.example'),
              FROM: from.email,
              FROM_NAME: from.name,
              TO: replyTo,
              CC: `${world.requesterA.name} <${world.requesterA.email}>, ${world.requesterB.email}`,
              MESSAGE_ID: `<cc-reply.${++counter}@partner.example>`,
              IN_REPLY_TO: mail.messageId!,
              REFERENCES: mail.messageId!,
              TICKET: number,
              TEXT: text,
            }),
            from.email,
            [replyTo],
          );
        const fromNina = await replyAll(NINA, 'Restarted, it prints now.');
        assert.deepEqual([fromNina.status, fromNina.reason], ['posted', 'reply'], fromNina.reasonText ?? '');
        const nina = (await storage.people.findUserByEmail(NINA.email))!;
        const posted = (await storage.messages.listMessages(world.ticketA.id, true)).find(
          (m) => m.id === fromNina.messageId,
        );
        assert.equal(posted?.authorId, nina.id, 'posted as the copy');
        // A stranger with the same reply address: held.
        const stranger = await replyAll({ email: 'sam@partner.example', name: 'Sam' }, 'Me too');
        assert.equal(stranger.status, 'held', stranger.reasonText ?? '');
        await scene.deliver(); // Nina's message reaches the technician and the others

        // ---- a copy refused at RCPT TO: the mail is sent to the others, the refusal noted
        sink.rejectRecipient(NINA.email);
        const second = await post('Second update.');
        await scene.deliver();
        const sent = (await storage.outbox.outboxOfMessages([second.message.id]))[0]!;
        assert.equal(sent.status, 'sent');
        assert.match(sent.lastReply ?? '', /refused: nina@partner\.example: 550/);
        assert.deepEqual(sink.accepted.at(-1)!.envelope.rcptTo, [world.requesterA.email, world.requesterB.email]);
        // ---- the requester refused: failed (the copies got it), so it can be put right
        sink.accept();
        sink.rejectRecipient(world.requesterA.email);
        const third = await post('Third update.');
        await scene.deliver({ failures: true });
        const failed = (await storage.outbox.outboxOfMessages([third.message.id]))[0]!;
        assert.equal(failed.status, 'failed');
        assert.match(failed.lastReply ?? '', /550 .*\(the people in Cc received it\)/);
        assert.deepEqual(sink.accepted.at(-1)!.envelope.rcptTo, [world.requesterB.email, NINA.email]);
        sink.accept();

        // ---- a delivery report about a copy only: the mail stays sent
        const dsn = await receive(
          eml('dsn-postfix', {
            TO: bounceAddress(deps.signer, deps.site.mailDomain, joaoEntry.id),
            MESSAGE_ID: `<dsn.${++counter}@mx.example.net>`,
            FAILED_RECIPIENT: world.requesterB.email,
            TICKET: number,
            ORIGINAL_MESSAGE_ID: joaoEntry.messageIdHeader,
          }),
          '',
          [bounceAddress(deps.signer, deps.site.mailDomain, joaoEntry.id)],
        );
        assert.equal(dsn.status, 'bounce', dsn.reasonText ?? '');
        assert.match(dsn.reasonText ?? '', /req\.b@example\.test \(in its Cc\) only/);
        assert.equal((await storage.outbox.findOutboxEntry(joaoEntry.id))!.status, 'sent', 'not marked');
        // The same report about João himself marks it.
        const own = await receive(
          eml('dsn-postfix', {
            TO: bounceAddress(deps.signer, deps.site.mailDomain, joaoEntry.id),
            MESSAGE_ID: `<dsn.${++counter}@mx.example.net>`,
            FAILED_RECIPIENT: world.requesterA.email,
            TICKET: number,
            ORIGINAL_MESSAGE_ID: joaoEntry.messageIdHeader,
          }),
          '',
          [bounceAddress(deps.signer, deps.site.mailDomain, joaoEntry.id)],
        );
        assert.equal(own.status, 'bounce');
        assert.equal((await storage.outbox.findOutboxEntry(joaoEntry.id))!.status, 'failed', 'marked');

        // ---- erasing the copy Nina removes her from the Cc of every mail that named her
        await eraseRequester(deps, CLI_ORIGIN, nina.id, { confirmEmail: NINA.email });
        const after = await storage.outbox.outboxOfMessages([first.message.id, second.message.id]);
        for (const entry of after) {
          assert.ok(!entry.cc.some((c) => c.address === NINA.email), `entry ${entry.id} no longer copies her`);
          assert.equal(entry.toAddress, world.requesterA.email, 'the requester’s mail is kept');
        }
        assert.deepEqual(
          after[0]!.cc.map((c) => c.address),
          [world.requesterB.email],
        );

        // ---- a group that chooses one mail each
        const separate = await admin.patch(`/api/v1/admin/groups/${world.groupA}`, { copiesMode: 'separate' });
        assert.equal(separate.statusCode, 200, separate.body);
        const bad = await admin.patch(`/api/v1/admin/groups/${world.groupA}`, { copiesMode: 'bcc' });
        assert.equal(bad.statusCode, 400, bad.body);
        const audit = (await admin.get('/api/v1/admin/audit')).json().items[0];
        assert.equal(audit.action, 'group.edit');
        assert.deepEqual(
          audit.changes.find((c: { field: string }) => c.field === 'copiesMode'),
          { field: 'copiesMode', before: 'cc', after: 'separate' },
        );
        const fourth = await post('One mail each now.');
        assert.deepEqual(
          fourth.notifications.map((n: { to: string; cc: string[] }) => [n.to, n.cc]),
          [
            [world.requesterA.email, []],
            [world.requesterB.email, []],
          ],
        );
        const each = await scene.deliver();
        assert.equal(each.get(world.requesterA.email)!.cc, undefined, 'no Cc header');
        assert.match(each.get(world.requesterB.email)!.text!, /Responda por encima de esta línea/, 'Rita in es-ES');
      } finally {
        await scene.close();
      }
    });
  });
}
