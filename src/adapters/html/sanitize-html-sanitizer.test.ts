import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SanitizeHtmlSanitizer } from './sanitize-html-sanitizer.ts';

const s = new SanitizeHtmlSanitizer();

test('the allow-list keeps formatting and safe links, with rel and target added', () => {
  assert.equal(
    s.sanitize(
      '<h2>T</h2><p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s></p><ul><li>x</li></ul><pre><code>c</code></pre>',
      'message',
    ),
    '<h2>T</h2><p><strong>b</strong> <em>i</em> <u>u</u> <s>s</s></p><ul><li>x</li></ul><pre><code>c</code></pre>',
  );
  assert.equal(
    s.sanitize('<a href="mailto:a@b.example" target="_top" rel="opener">m</a>', 'message'),
    '<a href="mailto:a@b.example" rel="noopener noreferrer nofollow" target="_blank">m</a>',
  );
});

test('scripts, handlers, dangerous URLs, styles, SVG, forms, iframes and mXSS tricks are removed, both ways', () => {
  const attacks = [
    '<script>alert(1)</script>',
    '<img src=x onerror=alert(1)>',
    '<a href="javascript:alert(1)">',
    '<a href="JaVaScRiPt&colon;alert(1)">',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">',
    '<a href="vbscript:msgbox(1)">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<p style="background:url(javascript:alert(1));width:expression(alert(1))">',
    '<svg onload=alert(1)><circle/></svg>',
    '<form action="https://evil.example"><input name=p><button>go</button></form>',
    '<iframe src="https://evil.example"></iframe>',
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>"></noscript>',
    '<svg><style><img src=x onerror=alert(1)></style></svg>',
    '<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>',
    '<object data="x.swf"></object><embed src="x">',
    '<a href="//evil.example/x">',
  ];
  for (const from of ['message', 'mail'] as const) {
    for (const attack of attacks) {
      const out = s.sanitize(`${attack}ok`, from);
      assert.doesNotMatch(
        out,
        /onerror|onload|script|javascript|vbscript|data:|style|svg|form|input|iframe|object|embed|evil/i,
        `${from}: ${attack} → ${out}`,
      );
    }
  }
});

test('images: cid: kept; in mail a remote image keeps its address only in data-remote-src', () => {
  assert.equal(s.sanitize('<img src="cid:a.1@x" alt="A">', 'message'), '<img src="cid:a.1@x" alt="A" />');
  assert.equal(s.sanitize('<img src="https://e.example/p.png">t', 'message'), 't');
  assert.equal(
    s.sanitize('<img src="https://e.example/p.png">', 'mail'),
    '<img data-remote-src="https://e.example/p.png" />',
  );
  assert.equal(s.sanitize('<img data-remote-src="javascript:alert(1)">t', 'mail'), 't');
  assert.equal(s.sanitize('<table><tr><td>a</td></tr></table>', 'mail'), '<table><tr><td>a</td></tr></table>');
  assert.equal(s.sanitize('<table><tr><td>a</td></tr></table>', 'message'), 'a');
});
