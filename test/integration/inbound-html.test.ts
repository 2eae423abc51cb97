/**
 * Incoming HTML kept (issue 17, item 3), on SQLite and PostgreSQL: an Outlook-style HTML reply with a screenshot
 * pasted in it (multipart/related, referenced by cid:) becomes a message whose sanitized HTML keeps the formatting
 * and the image in place, without the quoted history, scripts or a loadable remote image; the image is served inline
 * to who may see the ticket. A held mail a reviewer attaches keeps its HTML too.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import MailComposer from 'nodemailer/lib/mail-composer/index.js';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';
import { verified } from '../support/sender.ts';

const DOMAIN = 'desk.example.test';
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(80, 3)]);

/** The reply an Outlook user writes: formatting, a pasted screenshot, a tracking pixel, and Outlook's header box. */
const OUTLOOK_HTML =
  '<html><head><style>p{color:red}</style></head><body>' +
  '<p class="MsoNormal">It fails <b>again</b> after the update:</p>' +
  '<ul><li>printer <i>B</i></li><li>printer <i>C</i></li></ul>' +
  '<p class="MsoNormal"><img src="cid:image001.png@01DA0001.ABCDEF00" alt="screenshot"></p>' +
  '<p class="MsoNormal"><a href="https://status.example.org/x" onclick="steal()">status page</a>' +
  '<img src="https://tracker.example.org/pixel.gif"><script>alert(1)</script></p>' +
  '<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal">' +
  '<b>From:</b> Service Desk<br><b>Sent:</b> Monday<br><b>To:</b> Ana<br><b>Subject:</b> Printer jams</p></div>' +
  '<p class="MsoNormal">QUOTED HISTORY</p></body></html>';
const OUTLOOK_TEXT =
  'It fails again after the update:\n\n- printer B\n- printer C\n\nstatus page <https://status.example.org/x>\n\n' +
  'From: Service Desk\nSent: Monday\nTo: Ana\nSubject: Printer jams\n\nQUOTED HISTORY\n';

async function compose(options: ConstructorParameters<typeof MailComposer>[0]): Promise<Buffer> {
  return new MailComposer(options).compile().build();
}

for (const database of [sqliteMemory, postgres]) {
  describe(`incoming HTML kept on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let w: World;
    let app: FastifyInstance;
    let tech: Client;
    let requester: Client;
    let otherTech: Client;
    let admin: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      w = await buildWorld(deps);
      app = await testApp(deps);
      tech = await signIn(app, w.techA.email);
      requester = await signIn(app, w.requesterA.email);
      otherTech = await signIn(app, w.techB.email);
      admin = await signIn(app, w.admin.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    async function deliver(raw: Buffer, to: string) {
      raw = verified(raw);
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: w.requesterA.email,
        envelopeTo: [to],
        remoteAddress: '127.0.0.1',
      });
      const done = await processInboundMail(inbound, id);
      assert.ok(done);
      return done;
    }

    const lastMessage = async (who: Client) => {
      const res = await who.get(`/api/v1/tickets/${w.ticketA.number}/messages`);
      assert.equal(res.statusCode, 200, res.body);
      return res.json().items.at(-1);
    };

    // threat: Inbound HTML is sanitised with an allow-list and shown in a sandbox; remote images are not fetched by the server.
    it('keeps the reply as sanitized HTML with its pasted image in place, the quote cut', async () => {
      const to = replyAddress(deps.signer, DOMAIN, w.ticketA.number, w.requesterA.id);
      const raw = await compose({
        from: `"${w.requesterA.name}" <${w.requesterA.email}>`,
        to,
        subject: `RE: [#${w.ticketA.number}] Printer jams`,
        text: OUTLOOK_TEXT,
        html: OUTLOOK_HTML,
        attachments: [
          { filename: 'image001.png', content: PNG, contentType: 'image/png', cid: 'image001.png@01DA0001.ABCDEF00' },
        ],
      });
      const mail = await deliver(raw, to);
      assert.equal(mail.status, 'posted', mail.reasonText ?? undefined);
      const message = await lastMessage(tech);
      assert.ok(message.text.startsWith('It fails again after the update:'), message.text);
      const html: string = message.html;
      assert.ok(html, 'the message keeps its HTML');
      assert.match(html, /It fails <b>again<\/b>/);
      assert.match(html, /<li>printer <i>B<\/i><\/li>/);
      assert.match(html, /<img src="cid:image001.png@01DA0001.ABCDEF00" alt="screenshot" \/>/, 'the image in place');
      assert.match(html, /data-remote-src="https:\/\/tracker.example.org\/pixel.gif"/);
      assert.doesNotMatch(html, /\ssrc="https?:/, 'no remote image the browser would load');
      assert.doesNotMatch(html, /script|onclick|steal|style|QUOTED|From:/i, 'sanitized, the quote cut');
      assert.match(
        html,
        /<a href="https:\/\/status.example.org\/x" rel="noopener noreferrer nofollow" target="_blank">/,
      );
      const image = message.attachments.find((a: { contentId: string | null }) => a.contentId !== null);
      assert.equal(image?.contentId, 'image001.png@01DA0001.ABCDEF00');
      for (const who of [tech, requester]) {
        const shown = await who.get(`/api/v1/attachments/${image.id}/inline`);
        assert.equal(shown.statusCode, 200);
        assert.equal(shown.headers['content-type'], 'image/png');
        assert.deepEqual(shown.rawPayload, PNG);
      }
      assert.equal((await otherTech.get(`/api/v1/attachments/${image.id}/inline`)).statusCode, 404);
      assert.equal(
        (await requester.get(`/api/v1/tickets/${w.ticketA.number}/messages`)).json().items.at(-1).html,
        html,
      );
    });

    it('keeps text only for a mail without an HTML part, and drops an image whose part is missing', async () => {
      const to = replyAddress(deps.signer, DOMAIN, w.ticketA.number, w.requesterA.id);
      await deliver(
        await compose({ from: w.requesterA.email, to, subject: 'Re: plain', text: 'Plain words only.' }),
        to,
      );
      assert.equal((await lastMessage(tech)).html, null);
      await deliver(
        await compose({
          from: w.requesterA.email,
          to,
          subject: 'Re: lost image',
          html: '<p>Look: <img src="cid:nowhere@x"></p>',
        }),
        to,
      );
      const message = await lastMessage(tech);
      assert.equal(message.text, 'Look:');
      assert.equal(message.html, '<p>Look: </p>');
    });

    it('keeps the HTML of a held mail a reviewer attaches', async () => {
      // To the support address, naming no ticket: held for an administrator to decide.
      const raw = await compose({
        from: `"Stranger" <stranger@elsewhere.example>`,
        to: `support@${DOMAIN}`,
        subject: 'About my printer',
        html: '<p>My printer is <b>on fire</b>.</p>',
      });
      const mail = await deliver(raw, `support@${DOMAIN}`);
      assert.equal(mail.status, 'held', mail.reasonText ?? undefined);
      const res = await admin.post(`/api/v1/inbound-mail/${mail.id}/attach`, { ticketNumber: w.ticketA.number });
      assert.equal(res.statusCode, 200, res.body);
      const message = await lastMessage(tech);
      assert.match(
        message.html,
        /^<p>Mail from Stranger &lt;stranger@elsewhere.example&gt; \(inbound mail #\d+\):<\/p><p>My printer is <b>on fire<\/b>.<\/p>$/,
      );
    });
  });
}
