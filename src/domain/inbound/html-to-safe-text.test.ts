import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToSafeText } from './html-to-safe-text.ts';
import { sanitizeHtml } from './sanitize-html.ts';

describe('htmlToSafeText', () => {
  it('turns block elements and <br> into line breaks, <div><br></div> into an empty line', () => {
    assert.equal(
      htmlToSafeText('<div>Hi,</div><div><br></div><div>one</div><div>two<br></div>three'),
      'Hi,\n\none\ntwo\nthree',
    );
    assert.equal(htmlToSafeText('a<br>b<br/>c<BR />d'), 'a\nb\nc\nd');
  });

  it("sets paragraphs apart, except Outlook's one-line MsoNormal paragraphs", () => {
    assert.equal(htmlToSafeText('<p>One</p><p>Two</p>'), 'One\n\nTwo');
    assert.equal(
      htmlToSafeText(
        '<p class="MsoNormal">Hi,<o:p></o:p></p><p class="MsoNormal"><o:p>&nbsp;</o:p></p><p class="MsoNormal">Line 1</p><p class=MsoNormal>Line 2</p>',
      ),
      'Hi,\n\nLine 1\nLine 2',
    );
  });

  it('collapses whitespace, keeps one empty line at most, trims', () => {
    assert.equal(
      htmlToSafeText('  <div>  lots \n  of \t space </div>\n<br><br><br><br><div> end </div> '),
      'lots of space\n\nend',
    );
  });

  it('decodes entities once and keeps accents and emoji', () => {
    assert.equal(
      htmlToSafeText('&amp;lt; &eacute;t&eacute; &#231; &#x1F389; &rsquo; &bogus;'),
      '&lt; été ç 🎉 ’ &bogus;',
    );
  });

  // threat: Inbound HTML is sanitised with an allow-list and shown in a sandbox; remote images are not fetched by the server.
  it('drops script, style, head, iframe and object content, comments and images', () => {
    assert.equal(
      htmlToSafeText(
        '<head><title>T</title><style>p{}</style></head><script>bad()</script><!-- c --><p>ok<img src=x onerror=alert(1)></p><iframe src=x>in</iframe><object>o</object>',
      ),
      'ok',
    );
    assert.equal(htmlToSafeText('<SCRIPT type="text/javascript">a("</div>")</SCRIPT >fine'), 'fine');
    assert.equal(
      htmlToSafeText('<!--[if gte mso 9]><xml><o:x/></xml><![endif]--><![if !supportLists]>·<![endif]>item'),
      '·item',
    );
  });

  it('quotes blockquotes with "> " per level', () => {
    assert.equal(
      htmlToSafeText('<div>Hi</div><blockquote>a<br><br>b<blockquote>c</blockquote></blockquote>'),
      'Hi\n> a\n>\n> b\n>> c',
    );
  });

  it('keeps preformatted text as it is', () => {
    assert.equal(htmlToSafeText('<pre>line 1\n  indented\n\nline 4</pre>'), 'line 1\n  indented\n\nline 4');
  });

  it('writes links as "label (url)" for http(s) and mailto only', () => {
    assert.equal(htmlToSafeText('<a href="https://e.example/t/1">Open</a>'), 'Open (https://e.example/t/1)');
    assert.equal(htmlToSafeText('<a href="mailto:a@b.example">a@b.example</a>'), 'a@b.example');
    assert.equal(htmlToSafeText('<a href="https://e.example">https://e.example</a>'), 'https://e.example');
    assert.equal(htmlToSafeText('<a href="javascript:alert(1)">click</a>'), 'click');
  });

  it('writes lists and tables as lines', () => {
    assert.equal(htmlToSafeText('<ul><li>a</li><li>b</li></ul><ol><li>c</li><li>d</li></ol>'), '- a\n- b\n1. c\n2. d');
    assert.equal(htmlToSafeText('<table><tr><td>a</td><td>b</td></tr><tr><th>c</th></tr></table>'), 'a b\nc');
  });

  it('drops a tag left open at the end, as a browser does', () => {
    assert.equal(htmlToSafeText('ok <a href="x'), 'ok');
    assert.equal(htmlToSafeText('1 < 2 and 3 > 2'), '1 < 2 and 3 > 2');
  });
});

describe('sanitizeHtml', () => {
  it('keeps allowed elements without their attributes', () => {
    assert.equal(
      sanitizeHtml(
        '<div class="x" style="color:red" onclick="a()"><p id="p">Hi <b>B</b> <strong>S</strong> <i>I</i> <em>E</em> <u>U</u> <span>s</span> <code>c</code></p></div>',
      ),
      '<div><p>Hi <b>B</b> <strong>S</strong> <i>I</i> <em>E</em> <u>U</u> <span>s</span> <code>c</code></p></div>',
    );
    assert.equal(
      sanitizeHtml('<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote><pre>p</pre><br/>'),
      '<ul><li>a</li></ul><ol><li>b</li></ol><blockquote>q</blockquote><pre>p</pre><br>',
    );
    assert.equal(
      sanitizeHtml('<table border=1><tr><td>a</td><th>b</th></tr></table>'),
      '<table><tr><td>a</td><th>b</th></tr></table>',
    );
  });

  it('keeps a@href only for http, https and mailto', () => {
    assert.equal(
      sanitizeHtml('<a href="https://e.example/?a=1&amp;b=2" target="_blank">x</a>'),
      '<a href="https://e.example/?a=1&amp;b=2" rel="noopener noreferrer nofollow">x</a>',
    );
    assert.equal(
      sanitizeHtml('<a href="mailto:a@b.example">m</a>'),
      '<a href="mailto:a@b.example" rel="noopener noreferrer nofollow">m</a>',
    );
    for (const bad of [
      'javascript:alert(1)',
      'JaVaScRiPt:alert(1)',
      ' java\tscript:alert(1)',
      'data:text/html,x',
      'vbscript:x',
      '&#106;avascript:alert(1)',
    ]) {
      assert.equal(sanitizeHtml(`<a href="${bad}">x</a>`), '<a>x</a>', bad);
    }
  });

  it('drops script, style, iframe and object with their content, and every other element', () => {
    assert.equal(
      sanitizeHtml(
        '<script>alert(1)</script><style>*{}</style><iframe src="x">f</iframe><object data="x">o</object>ok',
      ),
      'ok',
    );
    assert.equal(
      sanitizeHtml('<img src=x onerror=alert(1)><svg onload=alert(1)><circle/></svg><form><input value=1></form>t'),
      't',
    );
  });

  it('escapes text and balances tags', () => {
    assert.equal(sanitizeHtml('a &lt;script&gt; b < c'), 'a &lt;script&gt; b &lt; c');
    assert.equal(sanitizeHtml('<b><i>x</b>y</i></u>'), '<b><i>x</i></b>y');
    assert.equal(sanitizeHtml('<div><p>open'), '<div><p>open</p></div>');
    assert.equal(sanitizeHtml('"quoted" & more'), '"quoted" &amp; more');
  });

  it('runs in linear time on hostile markup', () => {
    assert.equal(typeof sanitizeHtml('<b>'.repeat(100_000) + '</i>'.repeat(100_000)), 'string');
    assert.equal(typeof sanitizeHtml('<a href="'.repeat(50_000)), 'string');
    assert.equal(typeof sanitizeHtml('<!--'.repeat(100_000)), 'string');
  });
});
