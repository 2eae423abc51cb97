import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { compileField } from './compile-template.ts';
import type { RenderContext } from './key-registry.ts';
import { renderContext } from '../../../test/support/render-context.ts';
import { escapeHtml, MAX_SUBJECT_LENGTH, renderField } from './render-template.ts';

const context = renderContext;

const render = (source: string, ctx: RenderContext, mode: 'html' | 'text' | 'subject') =>
  renderField(compileField(mode, source), ctx, mode);

describe('escapeHtml', () => {
  it('escapes the five HTML-significant characters', () => {
    assert.equal(
      escapeHtml(`<a href="x" title='y'>&</a>`),
      '&lt;a href=&quot;x&quot; title=&#39;y&#39;&gt;&amp;&lt;/a&gt;',
    );
  });

  it('escapes an existing entity again instead of trusting it', () => {
    assert.equal(escapeHtml('&lt;script&gt;'), '&amp;lt;script&amp;gt;');
  });

  it('leaves other text, accents and emoji alone', () => {
    assert.equal(escapeHtml('João Muñoz 👋 ção'), 'João Muñoz 👋 ção');
  });
});

describe('renderField: one pass', () => {
  for (const mode of ['html', 'text', 'subject'] as const) {
    it(`a value containing \${SMTP_PASSWORD} or \${IDSERVICEREQUEST} stays literal (${mode})`, () => {
      const ctx = context({
        ticket: { title: 'Leak ${SMTP_PASSWORD}' },
        message: { text: 'See ${IDSERVICEREQUEST} and ${COMMENTTEXT}' },
      });
      const out = render('${TICKETTITLE} | ${COMMENTTEXT}', ctx, mode);
      assert.equal(out, 'Leak ${SMTP_PASSWORD} | See ${IDSERVICEREQUEST} and ${COMMENTTEXT}');
      assert.doesNotMatch(out, /4711/);
    });
  }

  it("a rich message's sanitized HTML is the HTML part's ${COMMENTTEXT}, as data (never expanded); the text part gets its text", () => {
    const ctx = context({
      message: { text: 'Bold ${SMTP_PASSWORD}', html: '<p><b>Bold</b> ${SMTP_PASSWORD} <img src="cid:a1" /></p>' },
    });
    assert.equal(
      render(
        '<div>${COMMENTTEXT}|${TEXTOCOMENTARIO}</div>'.replace('${TEXTOCOMENTARIO}', '${COMMENTTEXT}'),
        ctx,
        'html',
      ),
      '<div><p><b>Bold</b> ${SMTP_PASSWORD} <img src="cid:a1" /></p>|<p><b>Bold</b> ${SMTP_PASSWORD} <img src="cid:a1" /></p></div>',
    );
    assert.equal(render('${COMMENTTEXT}', ctx, 'text'), 'Bold ${SMTP_PASSWORD}');
    assert.equal(render('${COMMENTTEXT}', context({ message: { text: '<b>x</b>' } }), 'html'), '&lt;b&gt;x&lt;/b&gt;');
  });

  it('renders every occurrence of a key, aliases included', () => {
    const out = render('${IDSERVICEREQUEST}/${IDSOLICITACAOSERVICO}/${IDSOLICITUDSERVICIO}', context(), 'text');
    assert.equal(out, '4711/4711/4711');
  });
});

describe('renderField: HTML body', () => {
  it('escapes a <script> in the message', () => {
    const out = render('<p>${COMMENTTEXT}</p>', context({ message: { text: '<script>alert(1)</script>' } }), 'html');
    assert.equal(out, '<p>&lt;script&gt;alert(1)&lt;/script&gt;</p>');
  });

  it('escapes an <img onerror> in the ticket title and in the author name', () => {
    const evil = '<img src=x onerror=alert(1)>';
    const out = render(
      '${TICKETTITLE}|${USERNAME}',
      context({ ticket: { title: evil }, message: { authorName: evil } }),
      'html',
    );
    assert.equal(out, '&lt;img src=x onerror=alert(1)&gt;|&lt;img src=x onerror=alert(1)&gt;');
    assert.doesNotMatch(out, /<img/);
  });

  it('escapes quotes and ampersands, so a value cannot leave an attribute', () => {
    const out = render(
      '<a title="${REQUESTERNAME}" data-x=\'${CATEGORIA}\'>',
      context({ ticket: { requesterName: 'Tom "the" B&B', category: "O'Brien" } }),
      'html',
    );
    assert.equal(out, '<a title="Tom &quot;the&quot; B&amp;B" data-x=\'O&#39;Brien\'>');
  });

  it('keeps the template author’s own markup as written', () => {
    assert.equal(render('<b>Hi</b> &amp; ${USERNAME}', context(), 'html'), '<b>Hi</b> &amp; Ana Muñoz');
  });

  it('turns each kind of line break in COMMENTTEXT into <br>', () => {
    const out = render('${COMMENTTEXT}', context({ message: { text: 'one\ntwo\r\nthree\rfour' } }), 'html');
    assert.equal(out, 'one<br>\ntwo<br>\nthree<br>\nfour');
  });

  it('escapes COMMENTTEXT before adding <br>, so the <br> is the only markup', () => {
    const out = render('${COMMENTTEXT}', context({ message: { text: '<b>a</b>\n&' } }), 'html');
    assert.equal(out, '&lt;b&gt;a&lt;/b&gt;<br>\n&amp;');
  });

  it('does not add <br> to single-line keys', () => {
    const out = render('${TICKETTITLE}', context({ ticket: { title: 'a\nb' } }), 'html');
    assert.equal(out, 'a\nb');
  });

  it('keeps accents and emoji', () => {
    const out = render(
      '${USERNAME}: ${COMMENTTEXT}',
      context({ message: { authorName: 'João Muñoz', text: 'Olá, ação concluída 🎉' } }),
      'html',
    );
    assert.equal(out, 'João Muñoz: Olá, ação concluída 🎉');
  });
});

describe('renderField: text body', () => {
  it('inserts values raw: no escaping, no <br>', () => {
    const text = '<script>alert("x")</script> & \'q\'\nsecond line';
    const out = render('Message:\n${COMMENTTEXT}', context({ message: { text } }), 'text');
    assert.equal(out, `Message:\n${text}`);
  });

  it('keeps accents and emoji', () => {
    assert.equal(render('${REQUESTERNAME} 👍', context(), 'text'), 'João Silva 👍');
  });
});

describe('renderField: subject', () => {
  // threat: CR/LF in a display name, a subject or an admin setting
  it('replaces CR and LF in values with a space and does not escape HTML', () => {
    const ctx = context({ ticket: { title: 'Bad\r\nBcc: victim@example.com\rX\nY <b>&' } });
    const out = render('[#${IDSERVICEREQUEST}] ${TICKETTITLE}', ctx, 'subject');
    assert.equal(out, '[#4711] Bad Bcc: victim@example.com X Y <b>&');
    assert.doesNotMatch(out, /[\r\n]/);
  });

  it('trims the result', () => {
    assert.equal(render('${TICKETTITLE}', context({ ticket: { title: '\n  Title  \r\n' } }), 'subject'), 'Title');
  });

  it('keeps a subject of exactly the maximum length as it is', () => {
    const title = 'x'.repeat(MAX_SUBJECT_LENGTH);
    assert.equal(render('${TICKETTITLE}', context({ ticket: { title } }), 'subject'), title);
  });

  it('bounds a longer subject to the maximum length, ending with an ellipsis', () => {
    assert.equal(MAX_SUBJECT_LENGTH, 255);
    const out = render('Re: ${COMMENTTEXT}', context({ message: { text: 'y'.repeat(1000) } }), 'subject');
    assert.equal(out.length, 255);
    assert.ok(out.startsWith('Re: yyy'));
    assert.ok(out.endsWith('y…'));
  });

  it('keeps accents and emoji', () => {
    assert.equal(render('${USERNAME} ✅', context(), 'subject'), 'Ana Muñoz ✅');
  });

  it('never cuts an emoji in half when bounding the subject', () => {
    // 253 ASCII characters then emoji: the cut at 254 code units falls between the two halves of the first emoji.
    const out = render(
      '${TICKETTITLE}',
      context({ ticket: { title: `${'a'.repeat(253)}${'😀'.repeat(10)}` } }),
      'subject',
    );
    assert.ok(out.length <= MAX_SUBJECT_LENGTH);
    assert.doesNotMatch(
      out,
      /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/,
      'lone surrogate',
    );
    assert.ok(out.endsWith('…'));
  });
});
