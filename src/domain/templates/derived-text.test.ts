/**
 * The text body a template without one gets from its HTML: every key the HTML part shows as text is in the text
 * part too, wherever it stands (link text and target, attributes, nested inline elements, lists, tables), and keys
 * after it are not affected. Unit cases first, then a property test over random templates.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { htmlTextContent } from '../../../test/support/html-text-content.ts';
import { renderContext } from '../../../test/support/render-context.ts';
import { LOCALES, type Locale } from '../locale.ts';
import { compileTemplate, renderTemplate, type RenderedMail } from './email-template.ts';
import { DEFAULT_TEMPLATES } from './default-templates.ts';
import { allKeyNames, findTemplateKey, type RenderContext } from './key-registry.ts';

const ctx = renderContext({
  ticket: { number: 4711, requesterName: 'João Silva', responsibleName: 'Ana Muñoz', title: 'Printer & <toner>' },
});

const mail = (html: string, context: RenderContext = ctx): RenderedMail =>
  renderTemplate(compileTemplate({ subject: 's', html, text: null }), context);
const text = (html: string, context: RenderContext = ctx) => mail(html, context).text;

describe('derived text body: keys in every position', () => {
  it('a key in a link’s text, and every key after it, keep their values (issue 10)', () => {
    assert.equal(
      text('<a href="${TICKETURL}">Open #${IDSERVICEREQUEST}</a><p>R: ${REQUESTERNAME}</p>'),
      'Open #4711 (https://parley.example/portal/tickets/4711)\nR: João Silva',
    );
  });

  it('a link whose text and target are the same key is written once', () => {
    assert.equal(
      text('<p><a href="${TICKETURL}">${TICKETURL}</a> by ${USERNAME}</p>'),
      'https://parley.example/portal/tickets/4711 by Ana Muñoz',
    );
  });

  it('a link whose target holds a key inside a literal URL, and whose text holds two keys', () => {
    assert.equal(
      text(
        '<a href="https://help.example/?t=${IDSERVICEREQUEST}&amp;s=${TICKETSTATUS}">${TICKETTITLE} (${TICKETSTATUS})</a> ${CATEGORIA}',
      ),
      'Printer & <toner> (In progress) (https://help.example/?t=4711&s=In progress) Hardware',
    );
  });

  it('a key only in an attribute other than a link’s target is left out, and the keys after it stay', () => {
    assert.equal(
      text(
        '<span title="${REQUESTERNAME}" class="k-${IDSERVICEREQUEST}">x</span><img alt="${TICKETTITLE}" src="${TICKETURL}"> ${USERNAME} · ${TICKETSTATUS}',
      ),
      'x Ana Muñoz · In progress',
    );
  });

  it('keys in nested inline elements', () => {
    assert.equal(
      text('<p><b>#${IDSERVICEREQUEST}</b> <i><span>${TICKETTITLE}</span></i><b><i>${CATEGORIA}</i></b>!</p>'),
      '#4711 Printer & <toner>Hardware!',
    );
  });

  it('keys in list items', () => {
    assert.equal(
      text(
        '<ul><li>${REQUESTERNAME}</li><li><a href="${TICKETURL}">#${IDSERVICEREQUEST}</a></li><li>${TICKETSTATUS}</li></ul>',
      ),
      '- João Silva\n- #4711 (https://parley.example/portal/tickets/4711)\n- In progress',
    );
  });

  it('keys in table cells: neighbouring cells are kept apart, rows are lines', () => {
    assert.equal(
      text(
        '<table><tr><th>Requester</th><td>${REQUESTERNAME}</td></tr><tr><td>${SERVICO}</td><td>${CATEGORIA}</td></tr></table>',
      ),
      'Requester João Silva\nPrinting Hardware',
    );
  });

  it('the same key many times, before and after a link holding it', () => {
    assert.equal(
      text('${IDSERVICEREQUEST} <a href="${TICKETURL}">${IDSERVICEREQUEST}</a> ${IDSERVICEREQUEST}<br>${USERNAME}'),
      '4711 4711 (https://parley.example/portal/tickets/4711) 4711\nAna Muñoz',
    );
  });

  it('keys in <script>, <style> and comments are dropped with them; keys after them stay', () => {
    assert.equal(
      text('<style>.${CATEGORIA}{}</style><!-- ${TICKETTITLE} --><script>var t="${TICKETURL}"</script>${USERNAME}'),
      'Ana Muñoz',
    );
  });

  it('a mark character or a mark spelled with entities in the author’s text is not a key', () => {
    assert.equal(text('<p>a&#xE000;0&#xE001;b \uE0000\uE001 ${IDSERVICEREQUEST}</p>'), 'a&#xE000;0&#xE001;b 0 4711');
  });
});

describe('shipped templates: both parts of a ticket nobody is responsible for yet', () => {
  const expected: Record<Locale, string> = {
    'en-US':
      'Requester: João Silva · Responsible: not assigned yet · Status: In progress. Reply to this email to answer.',
    'pt-BR':
      'Solicitante: João Silva · Responsável: ainda não atribuído · Situação: Em andamento. Responda a este e-mail para continuar a conversa.',
    'es-ES':
      'Solicitante: João Silva · Responsable: aún sin asignar · Estado: En curso. Responda a este correo para contestar.',
  };
  for (const locale of LOCALES) {
    it(`${locale}: the footer reads naturally in the HTML part and the text part`, () => {
      const context = renderContext({ ticket: { responsibleName: null }, recipient: { locale, timeZone: 'UTC' } });
      const rendered = renderTemplate(compileTemplate({ ...DEFAULT_TEMPLATES[locale], text: null }), context);
      const lines = rendered.text.split('\n');
      assert.equal(lines[lines.length - 1], expected[locale]);
      assert.ok(htmlTextContent(rendered.html).includes(expected[locale]), rendered.html);
      assert.ok(lines.includes(`${context.message.text}`), 'the message is in the text part');
      assert.ok(rendered.text.includes(`(${context.ticketUrl})`), 'the link is in the text part');
    });
  }
});

// ---- property test ----------------------------------------------------------------------------------------------

/** mulberry32: a small seeded PRNG, so a failing case can be replayed from its seed. */
function prng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const KEY_NAMES = allKeyNames();
const WORDS = [
  'Olá',
  'lorem',
  'ipsum',
  '·',
  '&amp;',
  '&lt;x&gt;',
  '&nbsp;',
  '—',
  'note:',
  '&#233;t&#xE9;',
  '(',
  ')',
  ',',
  'zz',
];

function generate(random: () => number): string {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const key = () => `\${${pick(KEY_NAMES)}}`;
  const attr = () => (random() < 0.5 ? key() : random() < 0.5 ? `lit-${key()}-x` : 'plain');
  const inline = (depth: number): string => {
    const n = 1 + Math.floor(random() * 4);
    let out = '';
    for (let i = 0; i < n; i++) {
      const r = random();
      if (r < 0.3) out += key();
      else if (r < 0.45) out += `${random() < 0.5 ? ' ' : ''}${pick(WORDS)}${random() < 0.5 ? ' ' : ''}`;
      else if (r < 0.5) out += '<br>';
      else if (depth <= 0) out += key();
      else if (r < 0.65) {
        const href =
          random() < 0.6 ? key() : random() < 0.5 ? `https://e.example/?t=${key()}&amp;x=1` : 'https://e.example/';
        out += `<a href="${href}"${random() < 0.3 ? ` title="${attr()}"` : ''}>${random() < 0.15 ? '' : inline(depth - 1)}</a>`;
      } else {
        const tag = pick(['b', 'i', 'span', 'strong', 'em']);
        out += `<${tag}${random() < 0.4 ? ` title="${attr()}" class="${attr()}"` : ''}>${inline(depth - 1)}</${tag}>`;
      }
    }
    return out;
  };
  const block = (depth: number): string => {
    const r = random();
    if (depth <= 0 || r < 0.35) return `<p${random() < 0.2 ? ` data-k="${attr()}"` : ''}>${inline(2)}</p>`;
    if (r < 0.5) return inline(2);
    if (r < 0.65)
      return `<ul>${Array.from({ length: 1 + Math.floor(random() * 3) }, () => `<li>${random() < 0.2 ? block(depth - 1) : inline(2)}</li>`).join('')}</ul>`;
    if (r < 0.8) {
      const rows = Array.from(
        { length: 1 + Math.floor(random() * 3) },
        () =>
          `<tr>${Array.from({ length: 1 + Math.floor(random() * 3) }, () => `<td>${random() < 0.2 ? block(depth - 1) : inline(2)}</td>`).join('')}</tr>`,
      );
      return `<table>${rows.join('')}</table>`;
    }
    return `<div>${block(depth - 1)}${block(depth - 1)}</div>`;
  };
  return Array.from({ length: 1 + Math.floor(random() * 4) }, () => block(3)).join('\n');
}

const MESSAGES = [
  'Hello',
  'Trocamos o toner.\nTeste de novo, por favor.',
  'A <b>bold</b> claim & "quotes" \'too\'\n\nSecond paragraph with ${IDSERVICEREQUEST} written literally.',
  'Olá 👋 — ção, ñ, ü',
];

function randomContext(random: () => number): RenderContext {
  const pick = <T>(items: readonly T[]): T => items[Math.floor(random() * items.length)]!;
  const maybe = <T>(value: T): T | null => (random() < 0.3 ? null : value);
  return renderContext({
    ticket: {
      number: 1 + Math.floor(random() * 99_999),
      title: pick(['Printer on floor 3', 'Fish & chips <urgent>', 'Impressora não imprime – café ☕']),
      status: pick(['new', 'in_progress', 'waiting', 'resolved', 'closed'] as const),
      contactName: maybe('Maria "Mia" Contact'),
      responsibleName: maybe('Ana Muñoz'),
      demandType: maybe('Incident'),
      activity: maybe('Printing'),
      relatedService: maybe('Office equipment'),
      portfolio: maybe('IT services'),
      category: maybe('Hardware'),
    },
    message: {
      text: pick(MESSAGES),
      authorName: pick(['Carlos Técnico', "O'Brien"]),
      timeSpentMinutes: maybe(90),
      timeSpentDate: maybe('2026-03-13'),
    },
    recipient: { locale: pick(LOCALES), timeZone: pick(['UTC', 'America/Sao_Paulo', 'Asia/Tokyo']) },
  });
}

const occurrences = (haystack: string, needle: string) => haystack.split(needle).length - 1;

/**
 * The HTML part's text, with a boundary where each tag was (a value's own line breaks, `<br>` and its newline, are
 * kept as the line break they show): a value is counted only where it stands whole, never as the chance join of two
 * neighbouring values (`…/2026` and `3/13/26` in two cells) that the text part rightly keeps apart.
 */
function shownText(html: string): string {
  const tags = /<\/?[a-zA-Z](?:[^>"']|"[^"]*"|'[^']*')*>/g;
  return htmlTextContent(html.replace(/<br>\n/g, '\n').replace(tags, '$&\u0001')).replace(/\u00a0/g, ' ');
}

describe('derived text body: property', () => {
  const CASES = 400;
  const base = Number(process.env.PARLEY_TEXT_PART_SEED ?? Math.floor(Math.random() * 2 ** 31));

  it(`every key value the HTML part shows as text is in the text part, as often (${CASES} random templates)`, () => {
    for (let i = 0; i < CASES; i++) {
      const seed = (base + i) >>> 0;
      const random = prng(seed);
      const html = generate(random);
      const context = randomContext(random);
      const rendered = mail(html, context);
      const shown = shownText(rendered.html);
      const names = [...html.matchAll(/\$\{([A-Z]+)\}/g)].map((m) => m[1]!);
      for (const name of new Set(names)) {
        const value = findTemplateKey(name)!.value(context);
        const want = occurrences(shown, value);
        if (value === '' || want === 0) continue;
        const got = occurrences(rendered.text, value);
        assert.ok(
          got >= want,
          `seed ${seed} (rerun with PARLEY_TEXT_PART_SEED=${seed}): \${${name}} = ${JSON.stringify(value)} shows ${want} time(s) in the HTML part, ` +
            `${got} in the text part.\nTemplate:\n${html}\nText part:\n${rendered.text}`,
        );
      }
    }
  });
});
