import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heldOutChanges, loadCases, normaliseForComparison } from '../../../test/fixtures/replies/corpus.ts';
import { extractReply, MAX_TEXT_CHARS } from './reply-text.ts';

const QUOTE = '> Hello Ana,\n>\n> Could you restart the printer?\n>\n> --\n> Parley Service Desk\n';

describe('reply corpus: development set (every case exact)', () => {
  for (const c of loadCases('dev')) {
    it(c.name, () => {
      const got = extractReply({ text: c.text, html: c.html });
      assert.equal(normaliseForComparison(got.text), normaliseForComparison(c.expected));
    });
  }
});

describe('reply corpus: held-out set', () => {
  it('is unchanged since it was written (MANIFEST.sha256)', () => {
    assert.deepEqual(heldOutChanges(), []);
  });

  it('extracts at least 85% of the cases exactly (issue 5 acceptance)', (t) => {
    const cases = loadCases('held-out');
    assert.ok(cases.length >= 25, `held-out set has ${cases.length} cases`);
    const failed = cases
      .filter(
        (c) =>
          normaliseForComparison(extractReply({ text: c.text, html: c.html }).text) !==
          normaliseForComparison(c.expected),
      )
      .map((c) => c.name);
    const rate = (cases.length - failed.length) / cases.length;
    t.diagnostic(`held-out exact: ${cases.length - failed.length}/${cases.length} = ${(rate * 100).toFixed(1)}%`);
    if (failed.length) t.diagnostic(`failing held-out cases: ${failed.join(', ')}`);
    assert.ok(rate >= 0.85, `held-out exact rate ${(rate * 100).toFixed(1)}% < 85%; failing: ${failed.join(', ')}`);
  });
});

describe('reply corpus: external development set (every case exact)', () => {
  // Cases from other parsers' public test data (test/fixtures/replies/external/SOURCES.md); the extractor was tuned
  // on these and on our dev set, so every one must pass (no known failures).
  for (const c of loadCases('external/dev')) {
    it(c.name, () => {
      const got = extractReply({ text: c.text, html: c.html });
      assert.equal(normaliseForComparison(got.text), normaliseForComparison(c.expected));
    });
  }
});

describe('reply corpus: external held-out set', () => {
  it('is unchanged since it was written (MANIFEST.sha256)', () => {
    assert.deepEqual(heldOutChanges('external/held-out'), []);
  });

  // Measured, never tuned on: 34/39 (87.2%) before any change for the external sets, 36/39 (92.3%) after. The floor is
  // the final figure rounded down, so a change that loses a case here fails.
  it('extracts at least 92% of the cases exactly', (t) => {
    const cases = loadCases('external/held-out');
    assert.ok(cases.length >= 35, `external held-out set has ${cases.length} cases`);
    const passed = cases.filter(
      (c) =>
        normaliseForComparison(extractReply({ text: c.text, html: c.html }).text) ===
        normaliseForComparison(c.expected),
    ).length;
    const rate = passed / cases.length;
    t.diagnostic(`external held-out exact: ${passed}/${cases.length} = ${(rate * 100).toFixed(1)}%`);
    assert.ok(rate >= 0.92, `external held-out exact rate ${(rate * 100).toFixed(1)}% < 92%`);
  });
});

describe('extractReply: attribution lines', () => {
  const lines = [
    'On Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:',
    'Em seg., 3 de jun. de 2024 às 10:02, Ana <ana@x.com> escreveu:',
    'El lun, 3 jun 2024 a las 10:02, Ana (<ana@x.com>) escribió:',
    'Am 03.06.2024 um 10:02 schrieb Ana:',
    'Am Mo., 3. Juni 2024 um 10:02 Uhr schrieb Ana <ana@x.com>:',
    'Le lun. 3 juin 2024 à 10:02, Ana <ana@x.com> a écrit :',
    'Le lun. 3 juin 2024 à 10:02, Ana <ana@x.com> a\u00a0écrit\u00a0:',
    'Il giorno lun 3 giu 2024 alle ore 10:02 Ana <ana@x.com> ha scritto:',
    'Op ma 3 jun 2024 om 10:02 schreef Ana <ana@x.com>:',
    'Op 3 jun 2024 om 10:02 heeft Ana <ana@x.com> het volgende geschreven:',
    'Den mån 3 juni 2024 kl 10:02 skrev Ana <ana@x.com>:',
    'pon., 3 cze 2024 o 10:02 Ana <ana@x.com> napisał(a):',
    '2024年6月3日(月) 10:02 Ana <ana@x.com>:',
    'On 03/06/2024 10:02, Ana wrote:',
    'Ana wrote:',
  ];
  for (const line of lines) {
    it(`cuts at "${line}"`, () => {
      const r = extractReply({ text: `Thanks, done.\n\n${line}\n${QUOTE}` });
      assert.equal(r.text, 'Thanks, done.');
      assert.ok(r.trimmed?.startsWith(line.trimEnd()), r.trimmed ?? 'null');
    });
  }

  it('re-joins an attribution the client wrapped over two or three lines', () => {
    const two = extractReply({
      text: `Done.\n\nOn Mon, Jun 3, 2024 at 10:02 AM Parley Service Desk <support@parley.example>\nwrote:\n\n${QUOTE}`,
    });
    assert.equal(two.text, 'Done.');
    assert.ok(two.trimmed?.startsWith('On Mon'));
    const three = extractReply({
      text: `Done.\n\nEm seg., 3 de jun. de 2024 às 10:02, Suporte da Empresa XYZ Ltda. via\nParley <\nreply+abc123@parley.example> escreveu:\n\n${QUOTE}`,
    });
    assert.equal(three.text, 'Done.');
    assert.ok(three.trimmed?.startsWith('Em seg.'));
  });

  it('does not take the line above a wrapped attribution when it is part of the reply', () => {
    const r = extractReply({ text: `See you on Monday.\nParley Service Desk wrote:\n${QUOTE}` });
    assert.equal(r.text, 'See you on Monday.');
  });
});

describe('extractReply: Outlook header blocks and separators', () => {
  const blocks: [string, string][] = [
    [
      'en',
      'From: Parley <s@p.example>\nSent: Monday, June 3, 2024 10:02 AM\nTo: Ana <ana@x.com>\nSubject: RE: [#1] Printer',
    ],
    [
      'pt',
      'De: Parley <s@p.example>\nEnviado: segunda-feira, 3 de junho de 2024 10:02\nPara: Ana <ana@x.com>\nAssunto: RE: [#1] Impressora',
    ],
    [
      'es',
      'De: Parley <s@p.example>\nEnviado el: lunes, 3 de junio de 2024 10:02\nPara: Ana <ana@x.com>\nAsunto: RE: [#1] Impresora',
    ],
    [
      'de',
      'Von: Parley <s@p.example>\nGesendet: Montag, 3. Juni 2024 10:02\nAn: Ana <ana@x.com>\nBetreff: AW: [#1] Drucker',
    ],
    [
      'fr',
      'De\u00a0: Parley <s@p.example>\nEnvoyé\u00a0: lundi 3 juin 2024 10:02\nÀ\u00a0: Ana <ana@x.com>\nObjet\u00a0: RE: [#1] Imprimante',
    ],
    [
      'it',
      'Da: Parley <s@p.example>\nInviato: lunedì 3 giugno 2024 10:02\nA: Ana <ana@x.com>\nOggetto: R: [#1] Stampante',
    ],
    [
      'nl',
      'Van: Parley <s@p.example>\nVerzonden: maandag 3 juni 2024 10:02\nAan: Ana <ana@x.com>\nOnderwerp: RE: [#1] Printer',
    ],
    ['separator', '-----Original Message-----\nthe original'],
    [
      'owa rule',
      '________________________________\nFrom: Parley <s@p.example>\nSent: Monday, June 3, 2024 10:02 AM\nTo: Ana <ana@x.com>\nSubject: [#1] Printer',
    ],
    [
      'forward',
      '---------- Forwarded message ---------\nFrom: X <x@y.example>\nDate: Mon, Jun 3, 2024\nSubject: alert',
    ],
    ['forward pt', '---------- Mensagem encaminhada ---------\nDe: X <x@y.example>'],
    ['forward es', '---------- Mensaje reenviado ---------\nDe: X <x@y.example>'],
    ['forward de', '-------- Weitergeleitete Nachricht --------\nBetreff: alert'],
    ['forward fr', '---------- Message transféré ---------\nDe : X <x@y.example>'],
    ['forward apple', 'Begin forwarded message:\n\n> From: X <x@y.example>'],
  ];
  for (const [label, block] of blocks) {
    it(`cuts at the ${label} block`, () => {
      const r = extractReply({ text: `Thanks.\n\nAna\n\n${block}\n\nHello Ana,\nthe original text.\n` });
      assert.equal(r.text, 'Thanks.\n\nAna');
      assert.ok(r.trimmed?.startsWith(block.split('\n')[0]!.trim()), r.trimmed ?? 'null');
    });
  }
});

describe('extractReply: signatures', () => {
  const taglines = [
    'Sent from my iPhone',
    'Sent from my iPad',
    'Sent from my Android',
    'Sent from my Samsung Galaxy smartphone.',
    'Enviado do meu iPhone',
    'Enviado desde mi iPhone',
    'Von meinem iPhone gesendet',
    'Envoyé de mon iPhone',
    'Inviato da iPhone',
    'Verstuurd vanaf mijn iPhone',
    'Get Outlook for iOS<https://aka.ms/o0ukef>',
    'Get Outlook for Android',
    'Obtener Outlook para Android',
    'Baixe o Outlook para Android',
    'Sent from Yahoo Mail on Android',
    'Sent from Mail for Windows',
  ];
  for (const tagline of taglines) {
    it(`removes "${tagline}" at the end of the reply`, () => {
      const r = extractReply({ text: `Works now.\n\n${tagline}\n` });
      assert.equal(r.text, 'Works now.');
      assert.equal(r.trimmed, tagline);
    });
  }

  it('removes the RFC 3676 "-- " signature, with or without its trailing space', () => {
    assert.deepEqual(extractReply({ text: 'Done.\n\n-- \nAna Souza\nFinance\n' }), {
      text: 'Done.',
      trimmed: '--\nAna Souza\nFinance',
      source: 'text',
      truncated: false,
    });
    assert.equal(extractReply({ text: 'Done.\n--\nAna Souza\n' }).text, 'Done.');
  });

  it('keeps closings and names: a line is not a signature because it starts with a name', () => {
    const text =
      'Ana Souza here, from Finance.\nBruno said the printer is fixed.\n\nThanks,\nAna Souza\nFinance | ACME';
    assert.deepEqual(extractReply({ text }), { text, trimmed: null, source: 'text', truncated: false });
  });

  it('keeps a message that is only a signature or only a tagline', () => {
    assert.equal(extractReply({ text: '-- \nAna Souza\n' }).text, '--\nAna Souza');
    assert.equal(extractReply({ text: 'Sent from my iPhone' }).text, 'Sent from my iPhone');
  });

  it('does not remove a tagline-like line in the middle of the text', () => {
    for (const text of [
      'Sent from my iPhone the photo did not arrive?\nI will send it again.',
      'Hi,\nSent from my iPhone, the photo looks blurred; from the laptop it is fine.\nI will send both.',
      'Hi,\nThe notification was sent from my iPhone app to all users.\nIs that expected?',
    ]) {
      assert.equal(extractReply({ text }).text, text);
    }
  });
});

describe('extractReply: quotes', () => {
  it('cuts a > quote with no attribution, with blank lines before or inside it', () => {
    assert.equal(extractReply({ text: 'Yes.\n> Can we close it?\n' }).text, 'Yes.');
    assert.equal(extractReply({ text: 'Yes.\n\n\n> Can we close it?\n\n> Bruno\n\n' }).text, 'Yes.');
  });

  it('keeps the whole text when the reply is interleaved with the quote or written below it', () => {
    const interleaved =
      'On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n> Floor?\nThird.\n> Error code?\n49.4C02\n';
    const r = extractReply({ text: interleaved });
    assert.equal(r.text, interleaved.trimEnd());
    assert.equal(r.trimmed, null);
    const below = `On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n${QUOTE}\nRestarted it, same error.\n`;
    assert.equal(extractReply({ text: below }).text, below.trimEnd().replace('> --', '> --'));
  });

  it('keeps the original when the mail is only a quote', () => {
    const onlyQuote = `On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n${QUOTE}`;
    const r = extractReply({ text: onlyQuote });
    assert.equal(r.text, onlyQuote.trimEnd());
    assert.equal(r.trimmed, null);
  });

  it('keeps > lines that the message introduces with a colon (a quoted log)', () => {
    const text = 'The job prints this:\n\n> error: connection refused\n> retrying in 30s';
    assert.equal(extractReply({ text }).text, text);
  });

  it('keeps "From:" inside the message when no header block follows', () => {
    const text = 'I read the guide.\nFrom: the manual says to restart the spooler.\nTo be sure I did it twice.';
    assert.equal(extractReply({ text }).text, text);
  });

  it('treats a quoted line that lost its > when the client re-wrapped it as part of the quote', () => {
    const wrapped =
      'Thanks.\n\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> Could you please restart the printer on the third floor and check the\ntray?\n> Bruno\n';
    // "tray?" starts in lower case and follows a quoted line as long as a wrapped one: a continuation.
    assert.equal(extractReply({ text: wrapped }).text, 'Thanks.');
    const link =
      'Thanks.\n\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> See the page\n(https://e.example/kb/12) >\n> Bruno\n';
    assert.equal(extractReply({ text: link }).text, 'Thanks.');
    // An answer between short quoted lines is not a continuation: the whole message stays.
    const answer = 'On Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\n> Which floor?\nthird\n> Bruno\n';
    assert.equal(extractReply({ text: answer }).text, answer.trimEnd());
  });

  it('cuts at a header block whose Date: line comes before From:, and at one squeezed on one line', () => {
    assert.equal(
      extractReply({
        text: 'Done.\nDate: Fri, 28 Sep 2012 10:55\nFrom: t@e.example\nTo: b@e.example\nSubject: Hi\n\nold',
      }).text,
      'Done.',
    );
    assert.equal(
      extractReply({ text: 'Done.\n\nDate: Tue, 2 Oct 2012 02:35 From: j@e.example To: Shelly Subject: Hi\n\nold' })
        .text,
      'Done.',
    );
  });

  it('cuts at "-----X Message-----" separators and at an attribution set between rules', () => {
    assert.equal(extractReply({ text: 'Done.\n\n-----Reply Message-----\n\nold' }).text, 'Done.');
    assert.equal(
      extractReply({ text: 'Done.\n\n---- On Wed, 24 Feb 2021 14:02:50 +0530 Ana wrote ----\n\nold' }).text,
      'Done.',
    );
    // A ruled heading of the message itself is not a separator.
    const heading = 'Notes:\n\n----- Summary -----\n\nAll fine.';
    assert.equal(extractReply({ text: heading }).text, heading);
  });

  it('accepts CRLF and CR line endings', () => {
    const r = extractReply({
      text: 'Fixed, thanks.\r\n\r\nOn Mon, 3 Jun 2024 at 10:02, Ana <ana@x.com> wrote:\r\n> Hi\r\n',
    });
    assert.equal(r.text, 'Fixed, thanks.');
    assert.equal(extractReply({ text: 'Fixed.\r\rAna wrote:\r> Hi\r' }).text, 'Fixed.');
  });
});

describe('extractReply: HTML and part selection', () => {
  const gmail =
    '<div dir="ltr">Thanks!</div><br><div class="gmail_quote"><div dir="ltr" class="gmail_attr">On Mon, Jun 3, 2024 at 10:02 AM Bruno &lt;b@p.example&gt; wrote:<br></div><blockquote class="gmail_quote">Hello<br></blockquote></div>';

  it('cuts HTML at the client markers before converting it to text', () => {
    const r = extractReply({ html: gmail });
    assert.deepEqual(r, {
      text: 'Thanks!',
      trimmed: 'On Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n> Hello',
      source: 'html',
      truncated: false,
    });
    for (const marker of [
      '<div id="divRplyFwdMsg">',
      '<div id="appendonsend"></div>',
      '<hr id="stopSpelling">',
      '<div class="yahoo_quoted">',
      '<div class="moz-cite-prefix">',
      '<blockquote type="cite">',
    ]) {
      assert.equal(
        extractReply({ html: `<div>Fixed.</div>${marker}<div>From: Parley</div><div>Old text</div>` }).text,
        'Fixed.',
        marker,
      );
    }
  });

  it('prefers the text part, and uses the HTML part when the text part shows no boundary', () => {
    assert.equal(extractReply({ text: 'Thanks (text)!\n\n> Hello\n', html: gmail }).source, 'text');
    const r = extractReply({ text: 'Thanks!\n\nHello\n', html: gmail });
    assert.equal(r.source, 'html');
    assert.equal(r.text, 'Thanks!');
    assert.equal(extractReply({ text: '  \n', html: gmail }).source, 'html');
    assert.equal(extractReply({ text: 'Just text.', html: '<p>Just text.</p>' }).source, 'text');
  });

  it('returns empty text for an empty mail', () => {
    assert.deepEqual(extractReply({}), { text: '', trimmed: null, source: 'none', truncated: false });
    assert.deepEqual(extractReply({ text: null, html: '<p> </p>' }), {
      text: '',
      trimmed: null,
      source: 'none',
      truncated: false,
    });
  });

  it('drops scripts and styles from HTML replies', () => {
    const r = extractReply({
      html: '<style>p{}</style><script>alert(1)</script><p>Hi <b>there</b></p><iframe>x</iframe>',
    });
    assert.equal(r.text, 'Hi there');
  });
});

describe('extractReply: bounded time on pathological input', () => {
  // No timing assertions: these must simply finish (each in milliseconds, since only a bounded prefix is read).
  it('reads only the first MAX_TEXT_CHARS of a 30 MB body', () => {
    const line = 'All work and no play makes Jack a dull boy.\n';
    const body = line.repeat(Math.ceil((30 * 1024 * 1024) / line.length));
    const r = extractReply({ text: body });
    assert.equal(r.truncated, true);
    assert.ok(r.text.length <= MAX_TEXT_CHARS);
    assert.ok(r.text.startsWith('All work'));
  });

  it('handles a single 10 MB line, in the text and in the HTML part', () => {
    const long = 'x'.repeat(10 * 1024 * 1024);
    assert.equal(extractReply({ text: long }).truncated, true);
    assert.equal(extractReply({ text: `Hi\n${long}\n> quote` }).text.length <= MAX_TEXT_CHARS, true);
    assert.equal(extractReply({ html: `<div>${long}</div>` }).truncated, true);
    assert.equal(extractReply({ html: `<div title="${long}">a</div>` }).text, '');
    assert.ok(extractReply({ text: ' '.repeat(10 * 1024 * 1024) + 'x' }).text.length <= MAX_TEXT_CHARS);
  });

  it('survives adversarial line patterns within the limit', () => {
    const size = MAX_TEXT_CHARS;
    const patterns = [
      '> ' + 'x'.repeat(70) + '\nx\n',
      '> a\n(https://e.example) >\n',
      'Date: 1 From: a To: b Subject: c\n',
      '-----x message-----\n',
      'a:\n',
      '> x\nFrom: a\n',
      '--\n',
      '\n',
      'On 1 wrote:\n',
      'From: a\nTo: b\n',
      '> \n\n',
      '-'.repeat(999) + '\n',
      '_'.repeat(500) + '\nFrom: x\n',
    ];
    for (const p of patterns) {
      const r = extractReply({ text: p.repeat(Math.ceil(size / p.length)).slice(0, size) });
      assert.equal(typeof r.text, 'string', JSON.stringify(p));
    }
  });

  it('survives pathological HTML: unclosed comments and tags, deep nesting, many links and markers', () => {
    const n = 200_000;
    const inputs = [
      '<!--'.repeat(n),
      '<a'.repeat(n),
      '<a href="'.repeat(n / 4),
      '<blockquote>'.repeat(n / 4) + 'deep',
      '<head>'.repeat(n / 4) + 'text',
      '<script>'.repeat(n / 4),
      '<a href="https://e.example/x">link</a> '.repeat(5000),
      '<div class="gmail_signature"></div>'.repeat(n / 10) + 'text',
      '<p>'.repeat(n / 2) + 'x' + '</p>'.repeat(n / 2),
      '&amp;'.repeat(n),
      '<ul><li>'.repeat(n / 8),
    ];
    for (const html of inputs) {
      const r = extractReply({ html });
      assert.equal(typeof r.text, 'string', html.slice(0, 20));
    }
  });
});

describe('pathological replies', () => {
  // threat: Pathological mail (10,000 MIME parts, 30 MB, 100 MB without a newline, 5,000 links, deep quote nesting)
  it('5,000 links and quotes nested 2,000 deep (text and HTML) come out bounded, the reply kept', () => {
    const links = Array.from({ length: 5000 }, (_, k) => `<a href="https://example.org/${k}">link ${k}</a>`).join(' ');
    const deep = `${'<blockquote>'.repeat(2000)}old${'</blockquote>'.repeat(2000)}`;
    const html = `<div>See these.</div>${links}${deep}`;
    const fromHtml = extractReply({ html });
    assert.match(fromHtml.text, /^See these\./);
    assert.ok(fromHtml.text.length <= MAX_TEXT_CHARS && (fromHtml.trimmed ?? '').length <= MAX_TEXT_CHARS * 2);
    const text = `Fine now.\n\n${Array.from({ length: 2000 }, (_, k) => `${'>'.repeat(k + 1)} level ${k}`).join('\n')}\n`;
    const fromText = extractReply({ text });
    assert.equal(fromText.text.trim(), 'Fine now.');
  });
});
