import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import { DEFAULT_TEMPLATES } from './default-templates.ts';
import {
  compiledFor,
  compileTemplate,
  MAX_TEMPLATE_BODY,
  renderTemplate,
  validateTemplate,
  type EmailTemplateInput,
} from './email-template.ts';
import { MAX_RENDERED_BODY } from './render-template.ts';
import type { RenderContext } from './key-registry.ts';

const ctx: RenderContext = {
  ticket: {
    number: 4711,
    title: 'Impressora <b>quebrada</b> & "urgente"',
    status: 'waiting',
    requesterName: 'João Silva',
    contactName: null,
    responsibleName: 'Ana Muñoz',
    demandType: 'Incidente',
    activity: 'Impressão',
    relatedService: 'Escritório',
    portfolio: 'Serviços de TI',
    category: 'Hardware',
  },
  message: {
    text: 'Olá 👋\n<script>alert(1)</script>\nAção: ${SMTP_PASSWORD}',
    authorName: 'Ana Muñoz',
    createdAt: '2026-03-14T15:09:26Z',
    timeSpentMinutes: 90,
    timeSpentDate: '2026-03-14',
  },
  recipient: { locale: 'pt-BR', timeZone: 'America/Sao_Paulo' },
  ticketUrl: 'https://parley.example/portal/tickets/4711?a=1&b=2',
};

const good: EmailTemplateInput = {
  name: 'Messaging',
  subject: '[#${IDSERVICEREQUEST}] ${TICKETTITLE}',
  html: '<p>${USERNAME} wrote:</p><blockquote>${COMMENTTEXT}</blockquote><p><a href="${TICKETURL}">Open</a></p>',
};

function refused(input: EmailTemplateInput, code: string, field: string): DomainError {
  let caught: unknown;
  try {
    validateTemplate(input);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DomainError, `expected a DomainError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  assert.equal(caught.details?.field, field);
  return caught;
}

describe('validateTemplate: accepted input', () => {
  it('returns the clean input: trimmed name, active by default, no text body', () => {
    assert.deepEqual(validateTemplate({ ...good, name: '  Messaging  ' }), {
      name: 'Messaging',
      subject: good.subject,
      html: good.html,
      text: null,
      locale: 'en-US',
      variants: [],
      active: true,
    });
  });

  it('keeps active: false and a given text body', () => {
    const clean = validateTemplate({ ...good, text: 'Ticket ${IDSERVICEREQUEST}: ${COMMENTTEXT}', active: false });
    assert.equal(clean.active, false);
    assert.equal(clean.text, 'Ticket ${IDSERVICEREQUEST}: ${COMMENTTEXT}');
  });

  it('treats an empty or blank text body as absent', () => {
    assert.equal(validateTemplate({ ...good, text: '' }).text, null);
    assert.equal(validateTemplate({ ...good, text: ' \n\t ' }).text, null);
  });

  it('accepts a subject of exactly 255 characters and a 120-character name', () => {
    const clean = validateTemplate({ ...good, name: 'n'.repeat(120), subject: 's'.repeat(255) });
    assert.equal(clean.subject.length, 255);
    assert.equal(clean.name.length, 120);
  });

  it('accepts accents and emoji everywhere', () => {
    const input = {
      name: 'Mensagens – ação 📨',
      subject: 'Olá ${NOMECONTATO} 👋',
      html: '<p>Señor ${REGISTRADOPOR}: ¿qué tal? ✅</p>',
    };
    assert.deepEqual(validateTemplate(input), { ...input, text: null, locale: 'en-US', variants: [], active: true });
  });
});

describe('validateTemplate: variants', () => {
  const pt = { locale: 'pt-BR', subject: 'Chamado ${IDSERVICEREQUEST}', html: '<p>${COMMENTTEXT}</p>' };

  it('keeps the default locale and cleans every variant', () => {
    const clean = validateTemplate({ ...good, locale: 'es-ES', variants: [{ ...pt, text: '  ' }] });
    assert.equal(clean.locale, 'es-ES');
    assert.deepEqual(clean.variants, [{ ...pt, text: null }]);
  });

  it('checks the keys of every variant, naming the variant in the error', () => {
    assert.throws(
      () => validateTemplate({ ...good, variants: [pt, { ...pt, locale: 'es-ES', html: '<p>${NOPE}</p>' }] }),
      (e: DomainError) =>
        e.code === 'TEMPLATE_UNKNOWN_KEY' &&
        e.details?.variant === 'es-ES' &&
        e.details?.key === 'NOPE' &&
        e.message.startsWith('In the es-ES variant: Unknown key ${NOPE}'),
    );
    assert.throws(
      () => validateTemplate({ ...good, subject: '', variants: [pt] }),
      (e: DomainError) => e.details?.variant === 'en-US' && e.message.startsWith('In the default variant (en-US):'),
    );
  });

  it('refuses a locale that is no language tag, or twice', () => {
    refused({ ...good, locale: 'en_US' }, 'TEMPLATE_INVALID', 'locale');
    refused({ ...good, variants: [pt, { ...pt }] }, 'TEMPLATE_INVALID', 'locale');
  });
});

describe('validateTemplate: refused input', () => {
  it('refuses an empty, blank, too long or multi-line name', () => {
    refused({ ...good, name: '' }, 'TEMPLATE_INVALID', 'name');
    refused({ ...good, name: '   ' }, 'TEMPLATE_INVALID', 'name');
    refused({ ...good, name: 'n'.repeat(121) }, 'TEMPLATE_INVALID', 'name');
    refused({ ...good, name: 'two\nlines' }, 'TEMPLATE_INVALID', 'name');
    refused({ ...good, name: 'two\rlines' }, 'TEMPLATE_INVALID', 'name');
  });

  // threat: CR/LF in a display name, a subject or an admin setting
  it('refuses a subject containing CR or LF', () => {
    for (const subject of ['Hello\r\nBcc: x@example.com', 'Hello\nWorld', 'Hello\rWorld', 'Hello\n']) {
      const error = refused({ ...good, subject }, 'TEMPLATE_INVALID', 'subject');
      assert.match(error.message, /line break/);
    }
  });

  it('refuses an empty, blank or over-long subject', () => {
    refused({ ...good, subject: '' }, 'TEMPLATE_INVALID', 'subject');
    refused({ ...good, subject: '   ' }, 'TEMPLATE_INVALID', 'subject');
    refused({ ...good, subject: 's'.repeat(256) }, 'TEMPLATE_INVALID', 'subject');
  });

  it('refuses an empty, blank or over-long HTML body', () => {
    refused({ ...good, html: '' }, 'TEMPLATE_INVALID', 'html');
    refused({ ...good, html: ' \n ' }, 'TEMPLATE_INVALID', 'html');
    refused({ ...good, html: 'h'.repeat(MAX_TEMPLATE_BODY + 1) }, 'TEMPLATE_INVALID', 'html');
  });

  it('refuses an over-long text body', () => {
    refused({ ...good, text: 't'.repeat(MAX_TEMPLATE_BODY + 1) }, 'TEMPLATE_INVALID', 'text');
  });

  it('refuses an unknown key in the subject, the HTML body or the text body, naming the field', () => {
    refused({ ...good, subject: 'Hi ${PASSWORD}' }, 'TEMPLATE_UNKNOWN_KEY', 'subject');
    refused({ ...good, html: '<p>${SMTP_PASSWORD}</p>' }, 'TEMPLATE_UNKNOWN_KEY', 'html');
    const error = refused({ ...good, text: 'line 1\n${idservicerequest}' }, 'TEMPLATE_UNKNOWN_KEY', 'text');
    assert.equal(error.details?.line, 2);
    assert.match(error.message, /\$\{IDSERVICEREQUEST\}/);
  });

  it('refuses an unclosed key', () => {
    refused({ ...good, html: '<p>${COMMENTTEXT</p>' }, 'TEMPLATE_SYNTAX_ERROR', 'html');
  });
});

describe('compileTemplate and renderTemplate', () => {
  it('renders subject, HTML and text with their own rules', () => {
    const mail = renderTemplate(
      compileTemplate({ ...good, text: 'From ${USERNAME}:\n${COMMENTTEXT}\n${TICKETURL}' }),
      ctx,
    );
    assert.equal(mail.subject, '[#4711] Impressora <b>quebrada</b> & "urgente"');
    assert.equal(
      mail.html,
      '<p>Ana Muñoz wrote:</p><blockquote>Olá 👋<br>\n&lt;script&gt;alert(1)&lt;/script&gt;<br>\nAção: ${SMTP_PASSWORD}</blockquote>' +
        '<p><a href="https://parley.example/portal/tickets/4711?a=1&amp;b=2">Open</a></p>',
    );
    assert.equal(mail.text, `From Ana Muñoz:\n${ctx.message.text}\n${ctx.ticketUrl}`);
  });

  it('derives the text body from the HTML when there is none; its keys survive and render raw', () => {
    const compiled = compileTemplate({ ...good, text: null });
    const mail = renderTemplate(compiled, ctx);
    assert.equal(
      mail.text,
      'Ana Muñoz wrote:\n\n' +
        'Olá 👋\n<script>alert(1)</script>\nAção: ${SMTP_PASSWORD}\n\n' +
        'Open (https://parley.example/portal/tickets/4711?a=1&b=2)',
    );
  });

  // threat: A message containing `${SMTP_PASSWORD}` or `${IDSERVICEREQUEST}`
  it('a value holding ${IDSERVICEREQUEST} stays literal in every part', () => {
    const mail = renderTemplate(
      compileTemplate({ subject: '${TICKETTITLE}', html: '<p>${TICKETTITLE}</p>', text: null }),
      { ...ctx, ticket: { ...ctx.ticket, title: 'see ${IDSERVICEREQUEST}' } },
    );
    assert.deepEqual(mail, {
      subject: 'see ${IDSERVICEREQUEST}',
      html: '<p>see ${IDSERVICEREQUEST}</p>',
      text: 'see ${IDSERVICEREQUEST}',
    });
  });

  it('bounds the rendered subject even when the values are long', () => {
    const mail = renderTemplate(compileTemplate({ ...good, text: null }), {
      ...ctx,
      ticket: { ...ctx.ticket, title: 'T'.repeat(400) },
    });
    assert.equal(mail.subject.length, 255);
    assert.ok(mail.subject.endsWith('…'));
  });

  it('compileTemplate refuses an unknown key that only the derived text would contain', () => {
    assert.throws(() => compileTemplate({ subject: 's', html: '<p>${NOPE}</p>', text: null }), {
      code: 'TEMPLATE_UNKNOWN_KEY',
    });
  });
});

describe('compiledFor', () => {
  it('memoises by content: the same template compiles once', () => {
    const t = { subject: 'memo ${IDSERVICEREQUEST}', html: '<p>memo</p>', text: null };
    assert.equal(compiledFor(t), compiledFor({ ...t }));
  });

  it('a change in any part gives a different compiled template', () => {
    const t = { subject: 'memo2', html: '<p>memo2</p>', text: 'memo2' };
    const first = compiledFor(t);
    assert.notEqual(compiledFor({ ...t, subject: 'memo2 ' }), first);
    assert.notEqual(compiledFor({ ...t, html: '<p>memo2 </p>' }), first);
    assert.notEqual(compiledFor({ ...t, text: 'memo2 ' }), first);
    assert.equal(renderTemplate(compiledFor({ ...t, text: 'other' }), ctx).text, 'other');
  });

  it('two different templates never share a cache entry', () => {
    const a = { subject: 'A\u0000B', html: 'C', text: null };
    const b = { subject: 'A', html: 'B\u0000C', text: null };
    // The subject with NUL is refused at save; the cache must still keep the two apart.
    assert.throws(() => validateTemplate({ name: 'a', ...a }), /control characters/);
    compiledFor(a);
    assert.equal(renderTemplate(compiledFor(b), ctx).subject, 'A');
  });
});

describe('text body derived from HTML', () => {
  it('an HTML body that shows a literal "${…}" through an entity is accepted and shows it literally in the text too', () => {
    // In HTML, &#36;{FOO} is the literal text "${FOO}", not a key: the HTML body compiles without error.
    const clean = validateTemplate({ ...good, html: '<p>Write &#36;{FOO} or &#36;{IDSERVICEREQUEST}</p>' });
    const mail = renderTemplate(compileTemplate(clean), ctx);
    assert.equal(mail.html, '<p>Write &#36;{FOO} or &#36;{IDSERVICEREQUEST}</p>');
    assert.equal(mail.text, 'Write ${FOO} or ${IDSERVICEREQUEST}');
  });
});

describe('rendered size bound', () => {
  const message = (text: string): RenderContext => ({ ...ctx, message: { ...ctx.message, text } });

  // the save-time half of the threat line proved through the admin API in test/integration/template-size.test.ts
  it('refuses at save a template whose HTML body could render past the bound, naming the key and how often it is used', () => {
    const error = refused({ ...good, html: `<p>${'${COMMENTTEXT}'.repeat(14_000)}</p>` }, 'TEMPLATE_TOO_LARGE', 'html');
    assert.match(
      error.message,
      /up to 1,680,000,007 characters long; the limit is 1,000,000\. It uses \$\{COMMENTTEXT\} 14,000 times/,
    );
    assert.equal(error.details?.key, 'COMMENTTEXT');
    assert.equal(error.details?.count, 14_000);
    assert.equal(error.details?.limit, MAX_RENDERED_BODY);
  });

  it('refuses a given text body past the bound, and counts the HTML escaping of values in the HTML body', () => {
    refused({ ...good, text: '${COMMENTTEXT}\n'.repeat(51) }, 'TEMPLATE_TOO_LARGE', 'text');
    validateTemplate({ ...good, text: '${COMMENTTEXT}\n'.repeat(49) });
    // 9 × 20,000 characters is 180,000 as text, but a message of quotes is six times longer as HTML
    refused({ ...good, html: '<p>${COMMENTTEXT}</p>'.repeat(9) }, 'TEMPLATE_TOO_LARGE', 'html');
    validateTemplate({ ...good, html: '<p>${COMMENTTEXT}</p>'.repeat(8) });
  });

  it('a template accepted at save renders within the bound for the worst message: 20,000 quotes', () => {
    const clean = validateTemplate({ ...good, html: '<p>${COMMENTTEXT}</p>'.repeat(8) });
    const mail = renderTemplate(compileTemplate(clean), message('"'.repeat(20_000)));
    assert.ok(mail.html.length <= MAX_RENDERED_BODY && mail.html.length > 900_000, String(mail.html.length));
  });

  it('refuses at render a stored template past the bound (saved before it existed), and stops as soon as the body passes it', () => {
    const compiled = compileTemplate({ subject: 's', html: `<p>${'${COMMENTTEXT}'.repeat(14_000)}</p>`, text: null });
    let reads = 0;
    const counting: RenderContext = {
      ...ctx,
      message: {
        ...ctx.message,
        get text() {
          reads++;
          return 'x'.repeat(20_000);
        },
      },
    };
    assert.throws(
      () => renderTemplate(compiled, counting),
      (error: unknown) => {
        assert.ok(error instanceof DomainError);
        assert.equal(error.code, 'TEMPLATE_TOO_LARGE');
        assert.equal(error.details?.field, 'html');
        assert.match(
          error.message,
          /longer than 1,000,000 characters, so no mail was made: an administrator has to edit the template/,
        );
        return true;
      },
    );
    assert.equal(
      reads,
      50,
      'rendering stopped at the value that took it past 1,000,000 characters ("<p>" and 50 × 20,000), not after 14,000',
    );
  });

  it('the shipped templates are far within the bound', () => {
    for (const locale of ['en-US', 'pt-BR', 'es-ES'] as const) validateTemplate(DEFAULT_TEMPLATES[locale]);
  });
});
