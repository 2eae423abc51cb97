import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { extractReply } from './reply-text.ts';

const parley = [
  'Ticket #12 – Printer jams',
  'Tina Tech wrote:',
  'Please restart it.',
  '',
  'Earlier in this conversation:',
  'João – 14/03',
  'It jams.',
];

describe('the reply marker', () => {
  it('cuts a reply at the marker quoted under an attribution line in a language no rule knows', () => {
    const body = [
      'It works now.',
      '',
      'Je 2026-03-14 16:09, Service Desk skribis:',
      '> ##- Reply above this line -##',
      ...parley.map((l) => `> ${l}`),
    ].join('\n');
    const r = extractReply({ text: body });
    assert.equal(r.text, 'It works now.');
    assert.match(r.trimmed ?? '', /skribis:[\s\S]*Earlier in this conversation/);
    // Without the marker the same quote is kept whole: it is the marker that cuts.
    const unmarked = extractReply({ text: body.replace('##- Reply above this line -##', 'Hello') });
    assert.ok(unmarked.text.includes('Earlier in this conversation'));
  });

  it('finds it under nested or other quote prefixes, re-wrapped over up to three lines, in any words', () => {
    for (const marker of [
      '> > ##- Responda acima desta linha -##',
      '| ##- Responda por encima de esta línea -##',
      '> ##- Responda por encima\n> de esta línea -##',
      '> ##- Répondez\n> au-dessus de\n> cette ligne -##',
      '##-   Reply above this line   -##',
    ]) {
      const r = extractReply({ text: `Done, thanks.\n\n${marker}\n> ${parley.join('\n> ')}` });
      assert.equal(r.text, 'Done, thanks.', marker);
    }
  });

  it('finds it in an HTML reply quoted in a blockquote', () => {
    const html =
      '<div>Fixed on my side.</div><blockquote><p style="color:#9ca3af">##- Reply above this line -##</p><p>Please restart it.</p></blockquote>';
    assert.equal(extractReply({ html }).text, 'Fixed on my side.');
  });

  it('keeps a long line that merely starts with ##- and a frame without words, and keeps all when nothing is above', () => {
    const long = `##- ${'word '.repeat(40)}-##`;
    assert.ok(extractReply({ text: `Hi.\n\n${long}\nmore` }).text.includes('more'));
    assert.ok(extractReply({ text: 'Hi.\n\n##--##\nmore' }).text.includes('more'));
    const below = extractReply({ text: '> ##- Reply above this line -##\n> Please restart it.\n\nWritten below.' });
    assert.ok(below.text.includes('Written below.'));
  });
});
