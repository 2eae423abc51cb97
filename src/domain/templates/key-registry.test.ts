import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { LOCALES, type Locale } from '../locale.ts';
import { TICKET_STATUSES } from '../tickets/ticket-status.ts';
import { allKeyNames, describeKeys, findTemplateKey, TEMPLATE_KEYS, type RenderContext } from './key-registry.ts';
import { renderContext, type ContextOverrides } from '../../../test/support/render-context.ts';
import {
  compileSignature,
  MAX_SIGNATURE_LENGTH,
  signatureRenderer,
  validateSignature,
} from '../signatures/signature.ts';

/** Richer than the default sample: a contact name, time spent, a pt-BR recipient in São Paulo. */
function context(overrides: ContextOverrides = {}): RenderContext {
  return renderContext({
    ticket: { contactName: 'Maria Contact', ...overrides.ticket },
    message: {
      text: 'Line one\nLine two',
      authorName: 'Carlos Técnico',
      timeSpentMinutes: 90,
      timeSpentDate: '2026-03-14',
      ...overrides.message,
    },
    recipient: overrides.recipient ?? { locale: 'pt-BR', timeZone: 'America/Sao_Paulo' },
  });
}

function value(name: string, ctx: RenderContext = context()): string {
  const key = findTemplateKey(name);
  assert.ok(key, `${name} is not in the registry`);
  return key.value(ctx);
}

/** Every key named by the CITSmart/4biz documents (en-US, pt-BR, es-ES) and the ones Parley adds. */
const CITSMART_KEYS = [
  'IDSERVICEREQUEST',
  'IDSOLICITACAOSERVICO',
  'IDSOLICITUDSERVICIO',
  'COMMENTTEXT',
  'DATETIMECREATED',
  'DATAHORA',
  'USERNAME',
  'REGISTRADOPOR',
  'REQUESTERNAME',
  'NOMECONTATO',
  'REQUESTRESPONSIBLENAME',
  'DEMANDA',
  'SERVICO',
  'SERVICORELACIONADO',
  'PORTFOLIO',
  'CATEGORIA',
  'TEMPOGASTODATA',
  'TEMPOGASTOHORA',
];
const PARLEY_KEYS = [
  'TICKETTITLE',
  'TICKETSTATUS',
  'TICKETURL',
  'SIGNATURE',
  'ASSINATURA',
  'FIRMA',
  'REPLYABOVE',
  'RESPONDAACIMA',
  'RESPONDAPORENCIMA',
  'HISTORY',
  'HISTORICO',
  'HISTORIAL',
];

describe('key registry: contents', () => {
  it('has every CITSmart key and every Parley key, and nothing else', () => {
    assert.deepEqual(new Set(allKeyNames()), new Set([...CITSMART_KEYS, ...PARLEY_KEYS]));
  });

  it('names are upper case and unique across canonical names and aliases', () => {
    const names = TEMPLATE_KEYS.flatMap((k) => [k.name, ...k.aliases]);
    assert.equal(new Set(names).size, names.length);
    for (const name of names) assert.match(name, /^[A-Z]+$/);
    assert.equal(allKeyNames().length, names.length);
  });

  it('marks where each key comes from', () => {
    for (const name of CITSMART_KEYS) assert.equal(findTemplateKey(name)?.origin, 'citsmart', name);
    for (const name of PARLEY_KEYS) assert.equal(findTemplateKey(name)?.origin, 'parley', name);
  });

  it('folds aliases onto one key', () => {
    const aliases: [string, string][] = [
      ['IDSOLICITACAOSERVICO', 'IDSERVICEREQUEST'],
      ['IDSOLICITUDSERVICIO', 'IDSERVICEREQUEST'],
      ['DATAHORA', 'DATETIMECREATED'],
      ['REGISTRADOPOR', 'USERNAME'],
      ['NOMECONTATO', 'REQUESTERNAME'],
      ['ASSINATURA', 'SIGNATURE'],
      ['FIRMA', 'SIGNATURE'],
    ];
    for (const [alias, canonical] of aliases) {
      assert.equal(findTemplateKey(alias), findTemplateKey(canonical), alias);
    }
  });

  it('lookup is exact: no lower case, no surrounding spaces', () => {
    assert.equal(findTemplateKey('idservicerequest'), undefined);
    assert.equal(findTemplateKey(' USERNAME'), undefined);
    assert.equal(findTemplateKey('SMTP_PASSWORD'), undefined);
    assert.equal(findTemplateKey(''), undefined);
  });

  it('every key has a non-empty description in en-US, pt-BR and es-ES', () => {
    for (const key of TEMPLATE_KEYS) {
      assert.deepEqual(Object.keys(key.description).sort(), [...LOCALES].sort(), key.name);
      for (const locale of LOCALES) assert.ok(key.description[locale].trim().length > 0, `${key.name} ${locale}`);
    }
  });

  it('describeKeys gives each key once, in the asked language', () => {
    for (const locale of LOCALES) {
      const described = describeKeys(locale);
      assert.equal(described.length, TEMPLATE_KEYS.length);
      const id = described.find((d) => d.name === 'IDSERVICEREQUEST');
      assert.deepEqual(id?.aliases, ['IDSOLICITACAOSERVICO', 'IDSOLICITUDSERVICIO']);
      assert.equal(id?.description, findTemplateKey('IDSERVICEREQUEST')?.description[locale]);
    }
    assert.equal(describeKeys('pt-BR').find((d) => d.name === 'COMMENTTEXT')?.description, 'Texto da mensagem');
  });

  it('only COMMENTTEXT, SIGNATURE and HISTORY are multi-line', () => {
    assert.deepEqual(
      TEMPLATE_KEYS.filter((k) => k.multiline).map((k) => k.name),
      ['COMMENTTEXT', 'SIGNATURE', 'HISTORY'],
    );
  });
});

describe('key registry: values', () => {
  it('the ticket number under all three names', () => {
    for (const name of ['IDSERVICEREQUEST', 'IDSOLICITACAOSERVICO', 'IDSOLICITUDSERVICIO'])
      assert.equal(value(name), '4711');
  });

  it('COMMENTTEXT is the message text as it is', () => {
    assert.equal(value('COMMENTTEXT'), 'Line one\nLine two');
  });

  it('DATETIMECREATED and DATAHORA: pt-BR in São Paulo (UTC−3)', () => {
    for (const name of ['DATETIMECREATED', 'DATAHORA']) {
      const out = value(name);
      assert.ok(out.includes('14/03/2026'), out);
      assert.ok(out.includes('12:09'), out);
    }
  });

  it('DATETIMECREATED: en-US in New York (EDT, UTC−4, since 8 March 2026)', () => {
    const out = value('DATETIMECREATED', context({ recipient: { locale: 'en-US', timeZone: 'America/New_York' } }));
    assert.ok(out.includes('3/14/26'), out);
    assert.ok(out.includes('11:09'), out);
    assert.match(out, /AM/);
  });

  it('DATAHORA: es-ES in Tokyo crosses midnight into the next day', () => {
    const out = value(
      'DATAHORA',
      context({
        message: { createdAt: '2026-03-14T20:30:00Z' },
        recipient: { locale: 'es-ES', timeZone: 'Asia/Tokyo' },
      }),
    );
    assert.ok(out.includes('15/3/26'), out);
    assert.ok(out.includes('5:30'), out);
  });

  it('USERNAME and REGISTRADOPOR: the author of the message', () => {
    assert.equal(value('USERNAME'), 'Carlos Técnico');
    assert.equal(value('REGISTRADOPOR'), 'Carlos Técnico');
  });

  it('REQUESTERNAME and NOMECONTATO: the contact name when there is one', () => {
    assert.equal(value('REQUESTERNAME'), 'Maria Contact');
    assert.equal(value('NOMECONTATO'), 'Maria Contact');
  });

  it('REQUESTERNAME and NOMECONTATO: fall back to the requester name without a contact', () => {
    assert.equal(value('REQUESTERNAME', context({ ticket: { contactName: null } })), 'João Silva');
    assert.equal(value('NOMECONTATO', context({ ticket: { contactName: '' } })), 'João Silva');
  });

  it('REQUESTRESPONSIBLENAME: the responsible technician, "not assigned yet" in the recipient’s language while none', () => {
    assert.equal(value('REQUESTRESPONSIBLENAME'), 'Ana Muñoz');
    const expected: Record<Locale, string> = {
      'en-US': 'not assigned yet',
      'pt-BR': 'ainda não atribuído',
      'es-ES': 'aún sin asignar',
    };
    for (const locale of LOCALES) {
      for (const responsibleName of [null, '']) {
        const ctx = context({ ticket: { responsibleName }, recipient: { locale, timeZone: 'UTC' } });
        assert.equal(value('REQUESTRESPONSIBLENAME', ctx), expected[locale], locale);
      }
    }
  });

  it('classification keys give their ticket field', () => {
    assert.equal(value('DEMANDA'), 'Incident');
    assert.equal(value('SERVICO'), 'Printing');
    assert.equal(value('SERVICORELACIONADO'), 'Office equipment');
    assert.equal(value('PORTFOLIO'), 'IT services');
    assert.equal(value('CATEGORIA'), 'Hardware');
  });

  it('classification keys say "not set" in the recipient’s language when the field is not set', () => {
    const expected: Record<Locale, string> = {
      'en-US': 'not set',
      'pt-BR': 'não informado',
      'es-ES': 'sin especificar',
    };
    for (const locale of LOCALES) {
      const ctx = context({
        ticket: { demandType: null, activity: null, relatedService: null, portfolio: null, category: null },
        recipient: { locale, timeZone: 'UTC' },
      });
      for (const name of ['DEMANDA', 'SERVICO', 'SERVICORELACIONADO', 'PORTFOLIO', 'CATEGORIA'])
        assert.equal(value(name, ctx), expected[locale], name);
    }
  });

  it('TEMPOGASTODATA: the day of the time entry in the recipient’s locale, not shifted by the time zone', () => {
    assert.equal(value('TEMPOGASTODATA'), '14/03/2026');
    const en = context({ recipient: { locale: 'en-US', timeZone: 'Pacific/Honolulu' } });
    assert.equal(value('TEMPOGASTODATA', en), '3/14/26');
    const es = context({ recipient: { locale: 'es-ES', timeZone: 'Asia/Tokyo' } });
    assert.equal(value('TEMPOGASTODATA', es), '14/3/26');
  });

  it('TEMPOGASTODATA: "not logged" when there is no time entry', () => {
    assert.equal(value('TEMPOGASTODATA', context({ message: { timeSpentDate: null } })), 'não registrado');
    assert.equal(
      value(
        'TEMPOGASTODATA',
        context({ message: { timeSpentDate: null }, recipient: { locale: 'en-US', timeZone: 'UTC' } }),
      ),
      'not logged',
    );
  });

  it('TEMPOGASTOHORA: minutes as HH:MM', () => {
    const cases: [number, string][] = [
      [90, '01:30'],
      [0, '00:00'],
      [5, '00:05'],
      [60, '01:00'],
      [599, '09:59'],
      [1500, '25:00'],
    ];
    for (const [minutes, expected] of cases) {
      assert.equal(
        value('TEMPOGASTOHORA', context({ message: { timeSpentMinutes: minutes } })),
        expected,
        String(minutes),
      );
    }
  });

  it('TEMPOGASTOHORA: "not logged" when there is no time entry', () => {
    assert.equal(value('TEMPOGASTOHORA', context({ message: { timeSpentMinutes: null } })), 'não registrado');
    assert.equal(
      value(
        'TEMPOGASTOHORA',
        context({ message: { timeSpentMinutes: null }, recipient: { locale: 'es-ES', timeZone: 'UTC' } }),
      ),
      'no registrado',
    );
  });

  it('SIGNATURE, ASSINATURA, FIRMA: the signature with its keys filled in for the recipient, else nothing', () => {
    const signature = signatureRenderer(compileSignature('Carlos\n${TICKETSTATUS} · ${DATAHORA}'));
    for (const name of ['SIGNATURE', 'ASSINATURA', 'FIRMA']) {
      assert.equal(value(name, { ...context(), signature }), 'Carlos\nEm andamento · 14/03/2026, 12:09');
      assert.equal(value(name), '');
    }
  });

  it('TICKETTITLE and TICKETURL', () => {
    assert.equal(value('TICKETTITLE'), 'Printer on floor 3');
    assert.equal(value('TICKETURL'), 'https://parley.example/portal/tickets/4711');
  });

  it('TICKETSTATUS: in the recipient’s language', () => {
    const expected: Record<Locale, string> = { 'en-US': 'In progress', 'pt-BR': 'Em andamento', 'es-ES': 'En curso' };
    for (const locale of LOCALES) {
      assert.equal(value('TICKETSTATUS', context({ recipient: { locale, timeZone: 'UTC' } })), expected[locale]);
    }
  });

  it('TICKETSTATUS: every status has a non-empty name in every language', () => {
    for (const status of TICKET_STATUSES) {
      for (const locale of LOCALES) {
        const out = value('TICKETSTATUS', context({ ticket: { status }, recipient: { locale, timeZone: 'UTC' } }));
        assert.ok(out.length > 0 && out !== status, `${status} ${locale}`);
      }
    }
    assert.equal(
      value('TICKETSTATUS', context({ ticket: { status: 'closed' }, recipient: { locale: 'es-ES', timeZone: 'UTC' } })),
      'Cerrado',
    );
  });

  it('every key renders a string for a complete context', () => {
    for (const key of TEMPLATE_KEYS) assert.equal(typeof key.value(context()), 'string', key.name);
  });

  it('no key renders empty, in any language, for a ticket with nothing optional set and a message without time spent', () => {
    for (const locale of LOCALES) {
      const bare = renderContext({
        ticket: {
          contactName: null,
          responsibleName: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        message: { timeSpentMinutes: null, timeSpentDate: null },
        recipient: { locale, timeZone: 'UTC' },
      });
      // The exceptions: ${SIGNATURE} with nobody's signature, ${HISTORY} with no earlier message (nothing at all).
      for (const key of TEMPLATE_KEYS.filter((k) => k.name !== 'SIGNATURE' && k.name !== 'HISTORY'))
        assert.notEqual(key.value(bare).trim(), '', `${key.name} in ${locale}`);
      assert.equal(findTemplateKey('HISTORY')!.value(bare), '');
      assert.equal(findTemplateKey('SIGNATURE')!.value(bare), '');
    }
  });

  it('no value is longer than the key’s maxLength for the longest inputs the domain accepts', () => {
    const long = renderContext({
      ticket: {
        number: 2_147_483_647,
        title: 'T'.repeat(200),
        requesterName: 'R'.repeat(120),
        contactName: 'C'.repeat(120),
        responsibleName: 'A'.repeat(120),
        demandType: 'D'.repeat(120),
        activity: 'S'.repeat(120),
        relatedService: 'V'.repeat(120),
        portfolio: 'P'.repeat(120),
        category: 'G'.repeat(120),
      },
      message: {
        text: 'x'.repeat(20_000),
        authorName: 'U'.repeat(120),
        timeSpentMinutes: 44_640,
        timeSpentDate: '2026-12-31',
      },
    });
    // The longest signature that passes its check: keys with the longest values, then literal text up to the limit.
    const keys = '${TICKETURL}'.repeat(3) + '${TICKETTITLE}'.repeat(8);
    const signature = signatureRenderer(
      compileSignature(validateSignature(keys + 'z'.repeat(MAX_SIGNATURE_LENGTH - keys.length))!),
    );
    for (const locale of LOCALES) {
      for (const timeZone of ['UTC', 'America/Sao_Paulo', 'Pacific/Chatham']) {
        const ctx = { ...long, ticketUrl: 'u'.repeat(2048), recipient: { locale, timeZone }, signature };
        for (const key of TEMPLATE_KEYS) assert.ok(key.value(ctx).length <= key.maxLength, `${key.name} in ${locale}`);
      }
    }
  });
});
