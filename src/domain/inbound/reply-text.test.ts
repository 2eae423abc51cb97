import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { heldOutChanges, loadCases, normaliseForComparison } from '../../../test/fixtures/replies/corpus.ts';
import { extractReply, MAX_TEXT_CHARS } from './reply-text.ts';

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

describe('reply corpus: international development set (every case exact)', () => {
  // 25 languages, HTML structure, boilerplate and forwarded content (test/fixtures/replies/intl/README.md).
  for (const c of loadCases('intl/dev')) {
    it(c.name, () => {
      const got = extractReply({ text: c.text, html: c.html });
      assert.equal(normaliseForComparison(got.text), normaliseForComparison(c.expected));
    });
  }
});

describe('reply corpus: international held-out set', () => {
  it('is unchanged since it was written (MANIFEST.sha256)', () => {
    assert.deepEqual(heldOutChanges('intl/held-out'), []);
  });

  // Written and fingerprinted before the extractor was changed for it: 16/32 (50.0%) untouched, 31/32 (96.9%) after the
  // first round, 32/32 after the second (driven by development-set failures only); never tuned on. The floor allows
  // one case of this small set to be lost, no more.
  it('extracts at least 96% of the cases exactly', (t) => {
    const cases = loadCases('intl/held-out');
    assert.ok(cases.length >= 30, `international held-out set has ${cases.length} cases`);
    const passed = cases.filter(
      (c) =>
        normaliseForComparison(extractReply({ text: c.text, html: c.html }).text) ===
        normaliseForComparison(c.expected),
    ).length;
    const rate = passed / cases.length;
    t.diagnostic(`international held-out exact: ${passed}/${cases.length} = ${(rate * 100).toFixed(1)}%`);
    assert.ok(rate >= 0.96, `international held-out exact rate ${(rate * 100).toFixed(1)}% < 96%`);
  });
});

describe('reply corpus: second international held-out set', () => {
  it('is unchanged since it was written (MANIFEST.sha256)', () => {
    assert.deepEqual(heldOutChanges('intl/held-out-2'), []);
  });

  // Written after the extractor changes and committed before it was ever run on it: 29/32 (90.6%) at that first run
  // (18/32 for the extractor before item 4); never tuned on. The floor is that figure rounded down.
  it('extracts at least 90% of the cases exactly', (t) => {
    const cases = loadCases('intl/held-out-2');
    assert.ok(cases.length >= 30, `second international held-out set has ${cases.length} cases`);
    const passed = cases.filter(
      (c) =>
        normaliseForComparison(extractReply({ text: c.text, html: c.html }).text) ===
        normaliseForComparison(c.expected),
    ).length;
    const rate = passed / cases.length;
    t.diagnostic(`second international held-out exact: ${passed}/${cases.length} = ${(rate * 100).toFixed(1)}%`);
    assert.ok(rate >= 0.9, `second international held-out exact rate ${(rate * 100).toFixed(1)}% < 90%`);
  });
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
      html: null,
    });
    assert.equal(extractReply({ text: 'Done.\n--\nAna Souza\n' }).text, 'Done.');
  });

  it('keeps closings and names: a line is not a signature because it starts with a name', () => {
    const text =
      'Ana Souza here, from Finance.\nBruno said the printer is fixed.\n\nThanks,\nAna Souza\nFinance | ACME';
    assert.deepEqual(extractReply({ text }), { text, trimmed: null, source: 'text', truncated: false, html: null });
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
      html: '<div dir="ltr">Thanks!</div><br>',
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

  it('cuts the HTML where the text was cut, on the structure of each client', () => {
    const cases: [string, string][] = [
      // Outlook for Windows: the reply, then the border-top header box.
      [
        '<html><body><p class="MsoNormal">Fixed, <b>thanks</b>.</p><div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm 0cm"><p class="MsoNormal"><b>From:</b> Parley<br><b>Sent:</b> Monday<br><b>To:</b> Ana<br><b>Subject:</b> Ticket</p></div><p>Old</p></body></html>',
        'Fixed, <b>thanks</b>.',
      ],
      // Outlook on the web and new Outlook.
      ['<div>Ok <i>now</i></div><hr><div id="divRplyFwdMsg"><b>From:</b> Parley</div><div>Old</div>', 'Ok <i>now</i>'],
      // Apple Mail.
      [
        '<div>Works.<br><ul><li>one</li></ul></div><div><br><blockquote type="cite"><div>On 3 Jun, Parley wrote:</div><div>Old</div></blockquote></div>',
        'Works.',
      ],
      // Thunderbird.
      [
        '<p>Done.</p><div class="moz-cite-prefix">On 03/06 Parley wrote:<br></div><blockquote type="cite">Old</blockquote>',
        'Done.',
      ],
    ];
    for (const [html, kept] of cases) {
      const r = extractReply({ html });
      assert.ok(r.html !== null && r.html.includes(kept), `${kept} in ${r.html}`);
      assert.ok(!/Old|From:|wrote/.test(r.html), `nothing of the quote in ${r.html}`);
    }
  });

  it('gives the HTML with the text part’s reply only when both parts were cut alike', () => {
    const gmailText = 'Thanks!\n\nOn Mon, Jun 3, 2024 at 10:02 AM Bruno <b@p.example> wrote:\n> Hello\n';
    const both = extractReply({ text: gmailText, html: gmail });
    assert.equal(both.source, 'text');
    assert.equal(both.html, '<div dir="ltr">Thanks!</div><br>');
    // The text part shows a quote the HTML part does not mark: no HTML that would show the quote.
    assert.equal(extractReply({ text: gmailText, html: '<p>Thanks!</p><p>On Mon Bruno said hello</p>' }).html, null);
    assert.equal(extractReply({ text: 'Just text.' }).html, null);
  });

  it('returns empty text for an empty mail', () => {
    assert.deepEqual(extractReply({}), { text: '', trimmed: null, source: 'none', truncated: false, html: null });
    assert.deepEqual(extractReply({ text: null, html: '<p> </p>' }), {
      text: '',
      trimmed: null,
      source: 'none',
      truncated: false,
      html: null,
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
      '[EXTERNAL] ' + 'confidential intended recipient '.repeat(3) + '\n',
      'caution originated from outside confidential recipient x'.repeat(40) + '\n\n',
      '> Begin forwarded message:\n',
      'See:\n> From: a\n> To: b\n> Subject: c\n',
      'Sent from my iPhone\n',
      'a'.repeat(30) + ': 10:02\n',
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
      '<div style="border:none;border-top:solid 1pt;padding:3pt">a: 10:02<br>'.repeat(n / 20),
      'On 1 at 10:02:<blockquote type="cite">'.repeat(n / 10),
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
