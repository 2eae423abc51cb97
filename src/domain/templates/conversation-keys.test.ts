import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { renderContext } from '../../../test/support/render-context.ts';
import { LOCALES } from '../locale.ts';
import { HISTORY_TEXT_LIMIT, REPLY_MARKER, historyText, type HistoryEntry } from './conversation-keys.ts';
import { compileTemplate, renderTemplate } from './email-template.ts';
import { SHIPPED_MESSAGING_TEMPLATE } from './default-templates.ts';
import { findTemplateKey } from './key-registry.ts';

const earlier: HistoryEntry[] = [
  { authorName: 'Ana Muñoz', createdAt: '2026-03-14T14:00:00Z', text: 'Newest <b>one</b>', attachments: ['log.txt'] },
  { authorName: 'João Silva', createdAt: '2026-03-13T09:30:00Z', text: 'Older one\nsecond line', attachments: [] },
];

describe('conversation keys', () => {
  it('the reply marker in each language, framed by ##- and -## under all three names', () => {
    for (const locale of LOCALES) {
      const ctx = renderContext({ recipient: { locale, timeZone: 'UTC' } });
      for (const name of ['REPLYABOVE', 'RESPONDAACIMA', 'RESPONDAPORENCIMA']) {
        const value = findTemplateKey(name)!.value(ctx);
        assert.equal(value, REPLY_MARKER[locale]);
        assert.match(value, /^##- .+ -##$/);
      }
    }
  });

  it('the history lists the earlier messages newest first, in the recipient’s language and time zone', () => {
    const pt = historyText({
      ...renderContext({ recipient: { locale: 'pt-BR', timeZone: 'America/Sao_Paulo' } }),
      history: earlier,
    });
    const lines = pt.split('\n');
    assert.equal(lines[0], 'Antes nesta conversa:');
    assert.match(lines[2]!, /^Ana Muñoz – 14\/03\/2026,? 11:00$/);
    assert.equal(lines[3], 'Newest <b>one</b>');
    assert.equal(lines[4], 'Anexos: log.txt');
    assert.ok(pt.indexOf('Ana Muñoz') < pt.indexOf('João Silva'));
    assert.ok(pt.includes('Older one\nsecond line'));
    const es = historyText({ ...renderContext({ recipient: { locale: 'es-ES', timeZone: 'UTC' } }), history: earlier });
    assert.ok(es.startsWith('Antes en esta conversación:'));
    assert.ok(es.includes('Adjuntos: log.txt'));
  });

  it('is empty with no earlier message, and the shipped template then shows no heading', () => {
    assert.equal(historyText(renderContext()), '');
    const mail = renderTemplate(compileTemplate({ ...SHIPPED_MESSAGING_TEMPLATE, text: null }), renderContext());
    assert.ok(!mail.text.includes('Earlier in this conversation'));
    assert.ok(mail.text.includes(REPLY_MARKER['en-US']));
  });

  it('escapes the history in the HTML part (data, never markup) and never expands a key inside it', () => {
    const mail = renderTemplate(compileTemplate({ ...SHIPPED_MESSAGING_TEMPLATE, text: null }), {
      ...renderContext(),
      history: [{ ...earlier[0]!, text: '<script>x</script> ${TICKETURL}' }],
    });
    assert.ok(mail.html.includes('&lt;script&gt;x&lt;/script&gt; ${TICKETURL}'));
    assert.ok(!mail.html.includes('<script>'));
    assert.ok(mail.text.includes('<script>x</script> ${TICKETURL}'));
    // The marker comes before the message and the history after it.
    assert.ok(mail.text.indexOf(REPLY_MARKER['en-US']) < mail.text.indexOf('Hello'));
    assert.ok(mail.text.indexOf('Hello') < mail.text.indexOf('Earlier in this conversation:'));
  });

  it('cuts a long earlier message and a long list of files', () => {
    const files = Array.from({ length: 13 }, (_, i) => `file-${i}.pdf`);
    const text = historyText({
      ...renderContext(),
      history: [{ ...earlier[0]!, text: 'x'.repeat(HISTORY_TEXT_LIMIT + 50), attachments: files }],
    });
    assert.ok(text.includes(`${'x'.repeat(HISTORY_TEXT_LIMIT)}…`));
    assert.ok(!text.includes('x'.repeat(HISTORY_TEXT_LIMIT + 1)));
    assert.ok(text.includes('file-9.pdf (+3 more)'));
    assert.ok(!text.includes('file-10.pdf'));
  });

  it('bounds the history within its declared longest value', () => {
    const key = findTemplateKey('HISTORY')!;
    const long: HistoryEntry = {
      authorName: 'n'.repeat(120),
      createdAt: '2026-12-31T23:59:00Z',
      text: 'y'.repeat(30_000),
      attachments: Array.from({ length: 40 }, () => 'z'.repeat(300)),
    };
    for (const locale of LOCALES) {
      const value = key.value({
        ...renderContext({ recipient: { locale, timeZone: 'Pacific/Kiritimati' } }),
        history: Array.from({ length: 25 }, () => long),
      });
      assert.ok(value.length <= key.maxLength, `${locale}: ${value.length} > ${key.maxLength}`);
    }
  });
});
