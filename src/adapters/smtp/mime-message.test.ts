import assert from 'node:assert/strict';
import { test } from 'node:test';
import { simpleParser } from 'mailparser';
import { buildMimeMessage } from './mime-message.ts';

const PNG = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 1, 2, 3, 4]);

test('inline images travel in a multipart/related with their Content-ID; other files stay in multipart/mixed', async () => {
  const wire = buildMimeMessage(
    {
      from: { name: 'Desk', address: 'desk@example.test' },
      to: { name: 'Ana', address: 'ana@example.test' },
      replyTo: null,
      subject: 'Rich',
      text: 'Bold and a picture',
      html: '<p><b>Bold</b> and a picture <img src="cid:shot1" /></p>',
      messageId: '<m1@example.test>',
      inReplyTo: null,
      references: [],
      headers: {},
      attachments: [
        { name: 'shot.png', contentType: 'image/png', content: PNG, contentId: 'shot1' },
        { name: 'report.txt', contentType: 'text/plain', content: new TextEncoder().encode('file') },
      ],
    },
    new Date('2026-12-05T00:00:00Z'),
  );
  const raw = wire.toString('utf8');
  assert.match(raw, /multipart\/mixed/);
  assert.match(raw, /multipart\/related/);
  assert.match(raw, /Content-ID: <shot1>/);
  const parsed = await simpleParser(wire, { keepCidLinks: true });
  assert.equal(parsed.html, '<p><b>Bold</b> and a picture <img src="cid:shot1" /></p>');
  assert.equal(parsed.text?.trim(), 'Bold and a picture');
  const image = parsed.attachments.find((a) => a.cid === 'shot1');
  assert.ok(image, 'the image part with its cid');
  assert.equal(image.related, true);
  assert.equal(image.contentType, 'image/png');
  assert.deepEqual(new Uint8Array(image.content), PNG);
  const file = parsed.attachments.find((a) => a.filename === 'report.txt');
  assert.ok(file && !file.related, 'the ordinary file outside the related part');
  assert.equal(file.content.toString(), 'file');
});

test('a mail without inline images has no multipart/related', () => {
  const wire = buildMimeMessage(
    {
      from: { name: null, address: 'desk@example.test' },
      to: { name: 'Ana', address: 'ana@example.test' },
      replyTo: null,
      subject: 'Plain',
      text: 't',
      html: '<p>t</p>',
      messageId: '<m2@example.test>',
      inReplyTo: null,
      references: [],
      headers: {},
    },
    new Date('2026-12-05T00:00:00Z'),
  ).toString('utf8');
  assert.doesNotMatch(wire, /multipart\/related/);
  assert.match(wire, /multipart\/alternative/);
});
