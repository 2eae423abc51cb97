/**
 * A message written in HTML with an inline image, end to end on SQLite and PostgreSQL: posted through the API,
 * delivered to a real SMTP server and parsed back: the HTML part carries the formatted message (its `${KEY}`s as
 * data, never expanded) referencing the image by `cid:`, the image travels in a multipart/related part with that
 * Content-ID and its bytes, an ordinary file stays an attachment, and the text part carries the text.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { simpleParser } from 'mailparser';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { mailApp } from '../support/mail-app.ts';

const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.alloc(64, 9)]);

for (const database of [sqliteMemory, postgres]) {
  describe(`a formatted message in the mail (${database.name})`, () => {
    it('sends the HTML with its inline image in multipart/related and the text in the text part', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      try {
        const tech = await scene.signIn(scene.world.techA.email);
        const posted = await tech.post(`/api/v1/tickets/${scene.world.ticketA.number}/messages`, {
          html: '<p>Please <b>restart</b> it ${TICKETTITLE}:</p><ul><li>off</li><li>on</li></ul><p><img src="cid:shot1" alt="screen"></p>',
          attachments: [
            { name: 'screen.png', contentType: 'image/png', content: PNG.toString('base64'), contentId: 'shot1' },
            { name: 'log.txt', contentType: 'text/plain', content: Buffer.from('log').toString('base64') },
          ],
        });
        assert.equal(posted.statusCode, 201, posted.body);
        assert.ok((await scene.deliver()).get(scene.world.requesterA.email), 'the requester is mailed');
        // Parsed again keeping the cid: links (mailparser otherwise turns the related images into data: URLs).
        const mail = await simpleParser(scene.sink.accepted.at(-1)!.raw, { keepCidLinks: true });
        const html = mail.html as string;
        assert.match(html, /<b>restart<\/b>/, 'formatted');
        assert.match(html, /<li>off<\/li><li>on<\/li>/);
        assert.ok(html.includes('${TICKETTITLE}'), 'a key inside a message is data, never expanded');
        assert.match(html, /src="cid:shot1"/, 'the image referenced by its Content-ID');
        const image = mail.attachments.find((a) => a.cid === 'shot1');
        assert.ok(image, 'the image travels with the mail');
        assert.equal(image.related, true, 'in the multipart/related of the HTML');
        assert.equal(image.contentType, 'image/png');
        assert.deepEqual(Buffer.from(image.content), PNG);
        const file = mail.attachments.find((a) => a.filename === 'log.txt');
        assert.ok(file && !file.related, 'an ordinary file stays an attachment');
        assert.ok(mail.text!.includes('Please restart it'), 'the text part carries the text');
        assert.ok(!mail.text!.includes('<b>'));
      } finally {
        await scene.close();
      }
    });
  });
}
