/**
 * The conversation below the message, end to end (issue 15 item 3): the shipped template's mails carry the reply
 * marker in the recipient's language and the earlier public messages (newest first, files named, never an internal
 * note; as many as parameter 9035 says), delivered to a real SMTP server and parsed back; then replies written above
 * the marker by Gmail, Outlook, Apple Mail and an unknown client (.eml fixtures quoting the mail really received,
 * re-wrapped by Apple Mail) post only the new text. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { describe, it } from 'node:test';
import type { ParsedMail } from 'mailparser';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { REPLY_MARKER } from '../../src/domain/templates/conversation-keys.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';

/** A client's `>` quote of a text, re-wrapped at `width` columns when given (as Apple Mail and others do). */
function quote(text: string, width?: number): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!width || line.length <= width) {
      out.push(`> ${line}`.trimEnd());
      continue;
    }
    let current = '';
    for (const word of line.split(' ')) {
      if (current && current.length + 1 + word.length > width) {
        out.push(`> ${current}`);
        current = word;
      } else current = current ? `${current} ${word}` : word;
    }
    if (current) out.push(`> ${current}`);
  }
  return out.join('\n');
}

let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`the conversation below the message (${database.name})`, () => {
    it('carries the marker and the earlier public messages, and a reply above the marker posts only its new text', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { deps, world, admin, deliver } = scene;
      const inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      try {
        const tech = await scene.signIn(world.techA.email);
        const joao = await scene.signIn(world.requesterA.email);
        const number = world.ticketA.number;
        const copies = await tech.put(`/api/v1/tickets/${number}/copies`, {
          copies: [{ email: world.requesterB.email }], // Rita reads es-ES; João pt-BR; Tina en-US
        });
        assert.equal(copies.statusCode, 200, copies.body);
        // One mail each, so each is in its reader's language (with copies in Cc, the requester's language is the mail's).
        const separate = await admin.patch(`/api/v1/admin/groups/${world.groupA}`, { copiesMode: 'separate' });
        assert.equal(separate.statusCode, 200, separate.body);
        assert.equal(separate.json().copiesMode, 'separate');
        const responsible = await tech.patch(`/api/v1/tickets/${number}`, { responsibleId: world.techA.id });
        assert.equal(responsible.statusCode, 200, responsible.body);

        const post = async (client: typeof tech, body: Record<string, unknown>) => {
          const posted = await client.post(`/api/v1/tickets/${number}/messages`, body);
          assert.equal(posted.statusCode, 201, posted.body);
          return posted.json().message.id as number;
        };

        // João asks with a screenshot; Tina notes something internal, then answers in public.
        const asked = await post(joao, {
          text: 'The printer shows error E-42.',
          attachments: [
            { name: 'screenshot.png', contentType: 'image/png', content: Buffer.from('png').toString('base64') },
          ],
        });
        const toTina = (await deliver()).get(world.techA.email);
        assert.ok(toTina, 'Tina is mailed João’s message');
        assert.ok(toTina.text!.includes(REPLY_MARKER['en-US']));
        assert.ok(!toTina.text!.includes('Earlier in this conversation:'), 'nothing earlier: no heading');
        await post(tech, { text: 'Internal: the fuser is worn out.', internal: true });
        const answered = await post(tech, { text: 'Please restart the printer.' });
        const round = await deliver();
        const toJoao = round.get(world.requesterA.email)!;
        const toRita = round.get(world.requesterB.email)!;
        assert.ok(toJoao && toRita, 'João and his copy Rita are mailed');
        for (const [mail, locale, earlier, files] of [
          [toJoao, 'pt-BR', 'Antes nesta conversa:', 'Anexos: screenshot.png'],
          [toRita, 'es-ES', 'Antes en esta conversación:', 'Adjuntos: screenshot.png'],
        ] as const) {
          const text = mail.text!;
          assert.ok(text.includes(REPLY_MARKER[locale]), `${locale}: the marker`);
          assert.ok(text.indexOf(REPLY_MARKER[locale]) < text.indexOf('Please restart the printer.'));
          const history = text.slice(text.indexOf(earlier));
          assert.ok(text.includes(earlier), `${locale}: the history's heading`);
          assert.ok(history.includes('João Muñoz – '), 'its author');
          assert.ok(history.includes('The printer shows error E-42.'), 'the earlier message');
          assert.ok(history.includes(files), 'its file named');
          assert.ok(!history.includes('Please restart the printer.'), 'never the message itself');
          assert.ok(!text.includes('fuser'), 'never an internal note');
          assert.ok(!(mail.html as string).includes('fuser'));
          assert.equal(mail.attachments.length, 0, 'an earlier file is named, never attached');
        }

        /** `who` answers, with a client's fixture, the mail they received for `messageId`, quoting what they received. */
        const reply = async (
          who: Actor,
          messageId: number,
          fixture: string,
          received: ParsedMail,
          text: string,
          wrap?: number,
        ) => {
          const [notification] = (await scene.storage.outbox.outboxOfMessages([messageId])).filter(
            (e) => e.toAddress === who.email,
          );
          assert.ok(notification?.replyTo, `a notification to ${who.email}`);
          const quoted = fixture.startsWith('outlook') ? received.text!.trim() : quote(received.text!.trim(), wrap);
          const raw = eml(fixture, {
            FROM: who.email,
            FROM_NAME: who.name,
            TO: notification.replyTo,
            SUBJECT: received.subject!,
            MESSAGE_ID: `<history${Date.now()}.${++counter}@mail.example.org>`,
            IN_REPLY_TO: notification.messageIdHeader,
            REFERENCES: `${notification.threadId} ${notification.messageIdHeader}`,
            REPLY: text,
            QUOTED_TEXT: quoted,
            QUOTED_HTML: received.html as string,
          });
          const id = await receiveMail(inbound, {
            raw,
            sha256: createHash('sha256').update(raw).digest('hex'),
            envelopeFrom: who.email,
            envelopeTo: [notification.replyTo],
            remoteAddress: '127.0.0.1',
          });
          const done = (await processInboundMail(inbound, id))!;
          assert.equal(done.status, 'posted', done.reasonText ?? '');
          const thread = (await tech.get(`/api/v1/tickets/${number}/messages`)).json().items as {
            id: number;
            text: string;
          }[];
          assert.equal(thread.find((m) => m.id === done.messageId)?.text, text, `${fixture}: only the new text`);
        };
        await reply(world.techA, asked, 'gmail-above-marker-en', toTina, 'Restarting it remotely now.');
        await reply(world.requesterA, answered, 'outlook-above-marker-pt', toJoao, 'Reiniciei e voltou a funcionar.');
        await reply(world.requesterB, answered, 'apple-above-marker-es', toRita, 'A mí también me funciona.', 30);
        await reply(world.requesterA, answered, 'unknown-client-above-marker', toJoao, 'Dankon, ĝi funkcias.');
        await deliver();

        // Parameter 9035: one earlier message, then none.
        assert.equal((await admin.put('/api/v1/admin/parameters/9035', { value: 1 })).statusCode, 200);
        await post(tech, { text: 'Closing this soon.' });
        const one = (await deliver()).get(world.requesterA.email)!.text!;
        assert.ok(one.includes('Dankon, ĝi funkcias.'), 'the newest earlier message');
        assert.ok(!one.includes('A mí también me funciona.'), 'and only it');
        assert.equal((await admin.put('/api/v1/admin/parameters/9035', { value: 0 })).statusCode, 200);
        await post(tech, { text: 'Closed.' });
        const none = (await deliver()).get(world.requesterA.email)!.text!;
        assert.ok(!none.includes('Antes nesta conversa:'));
        assert.ok(none.includes(REPLY_MARKER['pt-BR']), 'the marker stays');
        const wrong = await admin.put('/api/v1/admin/parameters/9035', { value: 11 });
        assert.equal(wrong.statusCode, 422, wrong.body);
        assert.equal(wrong.json().details.rule, 'count');
      } finally {
        await scene.close();
      }
    });
  });
}
