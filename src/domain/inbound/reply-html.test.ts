import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SanitizeHtmlSanitizer } from '../../adapters/html/sanitize-html-sanitizer.ts';
import type { InboundFile } from './inbound-attachments.ts';
import { MAX_REPLY_HTML, replyHtml } from './reply-html.ts';

const sanitizer = new SanitizeHtmlSanitizer();
const image = (contentId: string | null): InboundFile => ({
  name: 'shot.png',
  contentType: 'image/png',
  size: 3,
  sha256: '00',
  content: new Uint8Array([1, 2, 3]),
  inline: true,
  contentId,
});

describe('replyHtml: the HTML kept of a reply that came by mail', () => {
  it('sanitizes what a mail carries: scripts, handlers, javascript: links, forms, SVG and styles go', () => {
    const html = replyHtml(
      sanitizer,
      '<p onclick="x()">Hi <b>there</b><script>alert(1)</script></p><a href="javascript:alert(1)">a</a><form><input></form><svg><script>1</script></svg><p style="background:url(javascript:1)">ok</p><img src="x" onerror="alert(1)">',
      [],
      null,
    );
    assert.ok(html !== null);
    assert.doesNotMatch(html, /script|onclick|onerror|javascript|<form|<svg|<input|style=/i);
    assert.match(html, /Hi <b>there<\/b>/);
  });

  it('keeps cid: images of kept attachments, removes the others, and never loads a remote image', () => {
    const html = replyHtml(
      sanitizer,
      '<p>See <img src="cid:shot@x" alt="screen"> and <img src="cid:gone@x"> and <img src="https://tracker.example/p.png"></p>',
      [image('shot@x')],
      null,
    );
    assert.ok(html !== null);
    assert.match(html, /<img src="cid:shot@x" alt="screen" \/>/);
    assert.doesNotMatch(html, /gone@x/);
    assert.match(html, /data-remote-src="https:\/\/tracker.example\/p.png"/);
    assert.doesNotMatch(html, /\ssrc="https/);
  });

  it('drops what is left empty at the end where a quote was cut', () => {
    assert.equal(
      replyHtml(sanitizer, '<div><p>Fixed.</p><div><blockquote><div> <br></div>', [], null),
      '<div><p>Fixed.</p></div>',
    );
  });

  it('adds the note on attachments not kept, escaped', () => {
    const html = replyHtml(sanitizer, '<p>Hi</p>', [], '[1 attachment was not kept: <a>.zip (40 MB, too large)]');
    assert.equal(html, '<p>Hi</p><p>[1 attachment was not kept: &lt;a&gt;.zip (40 MB, too large)]</p>');
  });

  it('keeps nothing when nothing readable is left, or when it is too long to show', () => {
    assert.equal(replyHtml(sanitizer, '<p> </p><script>x</script>', [], null), null);
    assert.equal(replyHtml(sanitizer, `<p>${'a'.repeat(MAX_REPLY_HTML)}</p>`, [], null), null);
  });
});
