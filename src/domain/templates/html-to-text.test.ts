import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToText, MARK_CLOSE, MARK_OPEN } from './html-to-text.ts';

describe('htmlToText', () => {
  it('turns every form of <br> into a line break', () => {
    assert.equal(htmlToText('a<br>b<br/>c<BR />d'), 'a\nb\nc\nd');
  });

  it('separates paragraphs, divs and headings with a blank line at most', () => {
    assert.equal(htmlToText('<h1>Title</h1><p>One</p><div>Two</div>'), 'Title\n\nOne\n\nTwo');
    assert.equal(htmlToText('<p>a</p><p></p><p></p><p>b</p>'), 'a\n\nb');
  });

  it('writes list items as "- " lines', () => {
    const lines = htmlToText('<ul><li>first</li><li class="x">second</li></ul>')
      .split('\n')
      .filter((l) => l !== '');
    assert.deepEqual(lines, ['- first', '- second']);
  });

  it('puts consecutive list items on consecutive lines', () => {
    assert.equal(htmlToText('<ul><li>first</li><li>second</li></ul>'), '- first\n- second');
  });

  it('writes a link as "label (url)"', () => {
    assert.equal(
      htmlToText('<a href="https://e.example/t/1">Open the <b>ticket</b></a>'),
      'Open the ticket (https://e.example/t/1)',
    );
    assert.equal(htmlToText("<A class='l' HREF='https://e.example'>Site</A>"), 'Site (https://e.example)');
  });

  it('writes a link whose label is its URL, or has no label, as the URL alone', () => {
    assert.equal(htmlToText('<a href="https://e.example">https://e.example</a>'), 'https://e.example');
    assert.equal(htmlToText('<a href="https://e.example"><img src="logo.png"></a>'), 'https://e.example');
  });

  it('decodes named and numeric entities once', () => {
    assert.equal(
      htmlToText('&amp; &lt;b&gt; &quot;q&quot; &apos;a&apos; &#39;s&#39; &#x41;&#X42; &#231;'),
      "& <b> \"q\" 'a' 's' AB ç",
    );
    assert.equal(htmlToText('&amp;lt;'), '&lt;');
  });

  it('turns &nbsp; into a space and leaves unknown or invalid entities alone', () => {
    assert.equal(htmlToText('a&nbsp;b &bogus; &#0; &#x110000;'), 'a b &bogus; &#0; &#x110000;');
  });

  it('removes <script>, <style> and <head> with their content', () => {
    assert.equal(
      htmlToText('<head><title>T</title></head><script>alert(1)</script>ok<style>p{color:red}</style>'),
      'ok',
    );
    assert.equal(htmlToText('<SCRIPT type="text/javascript">bad()</SCRIPT >fine'), 'fine');
    assert.equal(htmlToText('<script>\nmulti\nline\n</script>after'), 'after');
  });

  it('drops every other tag and keeps its text', () => {
    assert.equal(
      htmlToText('<span style="x">Hello</span> <strong>world</strong><img src="x" onerror="y">!'),
      'Hello world!',
    );
  });

  it('collapses spaces and tabs, trims lines and the whole text', () => {
    assert.equal(htmlToText('  <div>  lots   of \t space </div>\n\n\n\n<p> end </p>  '), 'lots of space\n\nend');
  });

  it('keeps ${KEY} references untouched, in text and in link targets', () => {
    assert.equal(
      htmlToText('<p>Hi ${USERNAME},</p><blockquote>${COMMENTTEXT}</blockquote><p><a href="${TICKETURL}">Open</a></p>'),
      'Hi ${USERNAME},\n\n${COMMENTTEXT}\n\nOpen (${TICKETURL})',
    );
  });

  it('keeps the text of neighbouring table cells apart and puts each row on its own line', () => {
    assert.equal(
      htmlToText('<table><tr><th>Name</th><td>Ana</td></tr><tr><td>Status</td><td>Open</td></tr></table>'),
      'Name Ana\nStatus Open',
    );
  });

  it('puts definition lists, sections and rules on their own lines', () => {
    assert.equal(
      htmlToText('<dl><dt>Requester</dt><dd>Ana</dd></dl><section>One</section><hr><footer>End</footer>'),
      'Requester\nAna\n\nOne\n\nEnd',
    );
  });

  it('never decodes an entity into one of the two mark characters a caller may use', () => {
    assert.equal(
      htmlToText(`a&#xE000;1&#57345;b ${MARK_OPEN}2${MARK_CLOSE}`),
      `a&#xE000;1&#57345;b ${MARK_OPEN}2${MARK_CLOSE}`,
    );
    assert.equal(htmlToText('&#xE002;'), '\uE002');
  });

  it('keeps accents and emoji', () => {
    assert.equal(htmlToText('<p>João &amp; Muñoz 🎉</p>'), 'João & Muñoz 🎉');
  });
});
