import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { htmlToText } from './html-to-text.ts';

describe('htmlToText', () => {
  it('turns every form of <br> into a line break', () => {
    assert.equal(htmlToText('a<br>b<br/>c<BR />d'), 'a\nb\nc\nd');
  });

  it('separates paragraphs, divs and headings with a blank line at most', () => {
    assert.equal(htmlToText('<h1>Title</h1><p>One</p><div>Two</div>'), 'Title\n\nOne\n\nTwo');
    assert.equal(htmlToText('<p>a</p><p></p><p></p><p>b</p>'), 'a\n\nb');
  });

  it('writes list items as "- " lines', () => {
    const lines = htmlToText('<ul><li>first</li><li class="x">second</li></ul>').split('\n').filter((l) => l !== '');
    assert.deepEqual(lines, ['- first', '- second']);
  });

  it(
    'puts consecutive list items on consecutive lines',
    
    () => {
      assert.equal(htmlToText('<ul><li>first</li><li>second</li></ul>'), '- first\n- second');
    },
  );

  it('writes a link as "label (url)"', () => {
    assert.equal(htmlToText('<a href="https://e.example/t/1">Open the <b>ticket</b></a>'), 'Open the ticket (https://e.example/t/1)');
    assert.equal(htmlToText("<A class='l' HREF='https://e.example'>Site</A>"), 'Site (https://e.example)');
  });

  it('writes a link whose label is its URL, or has no label, as the URL alone', () => {
    assert.equal(htmlToText('<a href="https://e.example">https://e.example</a>'), 'https://e.example');
    assert.equal(htmlToText('<a href="https://e.example"><img src="logo.png"></a>'), 'https://e.example');
  });

  it('decodes named and numeric entities once', () => {
    assert.equal(htmlToText('&amp; &lt;b&gt; &quot;q&quot; &apos;a&apos; &#39;s&#39; &#x41;&#X42; &#231;'), '& <b> "q" \'a\' \'s\' AB ç');
    assert.equal(htmlToText('&amp;lt;'), '&lt;');
  });

  it('turns &nbsp; into a space and leaves unknown or invalid entities alone', () => {
    assert.equal(htmlToText('a&nbsp;b &bogus; &#0; &#x110000;'), 'a b &bogus; &#0; &#x110000;');
  });

  it('removes <script>, <style> and <head> with their content', () => {
    assert.equal(htmlToText('<head><title>T</title></head><script>alert(1)</script>ok<style>p{color:red}</style>'), 'ok');
    assert.equal(htmlToText('<SCRIPT type="text/javascript">bad()</SCRIPT >fine'), 'fine');
    assert.equal(htmlToText('<script>\nmulti\nline\n</script>after'), 'after');
  });

  it('drops every other tag and keeps its text', () => {
    assert.equal(htmlToText('<span style="x">Hello</span> <strong>world</strong><img src="x" onerror="y">!'), 'Hello world!');
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

  it('keeps accents and emoji', () => {
    assert.equal(htmlToText('<p>João &amp; Muñoz 🎉</p>'), 'João & Muñoz 🎉');
  });
});
