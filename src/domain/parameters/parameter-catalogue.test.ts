import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import { LOCALES } from '../locale.ts';
import {
  isForbiddenHost,
  PARAM,
  PARAMETER_CATALOGUE,
  parameterDefinition,
  type ParameterDefinition,
  type ParameterType,
} from './parameter-catalogue.ts';
import { isHostName, validateParameterValue } from './parameter-validation.ts';

function def(id: number): ParameterDefinition {
  const found = parameterDefinition(id);
  assert.ok(found, `parameter ${id} is not in the catalogue`);
  return found;
}

function accepts(id: number, value: unknown, expected: unknown) {
  assert.deepEqual(validateParameterValue(def(id), value), expected, `${id} ← ${JSON.stringify(value)}`);
}

function refuses(id: number, value: unknown) {
  let caught: unknown;
  try {
    validateParameterValue(def(id), value);
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DomainError, `${id} accepted ${JSON.stringify(value)}`);
  assert.equal(caught.code, 'PARAMETER_INVALID');
  assert.equal(caught.details?.parameter, id);
  assert.equal(typeof caught.details?.rule, 'string', 'the broken rule, for the web to say in the reader’s language');
  assert.match(caught.message, new RegExp(`^Parameter ${id}: `));
}

describe('parameter catalogue', () => {
  it('numbers the settings as CITSmart does, with the expected types', () => {
    const expected: [number, ParameterType][] = [
      [417, 'templateId'],
      [10, 'email'],
      [11, 'boolean'],
      [12, 'text'],
      [13, 'secret'],
      [14, 'host'],
      [199, 'enum'],
      [269, 'port'],
    ];
    for (const [id, type] of expected) assert.equal(def(id).type, type, String(id));
    assert.deepEqual(
      [
        PARAM.MESSAGING_TEMPLATE,
        PARAM.SMTP_FROM,
        PARAM.SMTP_AUTH,
        PARAM.SMTP_USER,
        PARAM.SMTP_PASSWORD,
        PARAM.SMTP_HOST,
        PARAM.SMTP_SECURITY,
        PARAM.SMTP_PORT,
      ],
      [417, 10, 11, 12, 13, 14, 199, 269],
    );
  });

  it('has unique ids; Parley’s own settings are numbered from 9001', () => {
    const ids = PARAMETER_CATALOGUE.map((d) => d.id);
    assert.equal(new Set(ids).size, ids.length);
    assert.equal(def(9001).type, 'text');
    for (const id of ids) assert.ok([417, 10, 11, 12, 13, 14, 199, 269].includes(id) || id >= 9001, String(id));
  });

  it('describes every parameter in en-US, pt-BR and es-ES', () => {
    for (const d of PARAMETER_CATALOGUE) {
      for (const locale of LOCALES) assert.ok(d.description[locale]?.trim(), `${d.id} ${locale}`);
    }
  });

  it('says "ticket" in Portuguese and Spanish, as the CITSmart documents do (not "chamado" nor "incidencia")', () => {
    for (const d of PARAMETER_CATALOGUE) {
      assert.doesNotMatch(d.description['pt-BR'], /chamado/i, String(d.id));
      assert.doesNotMatch(d.description['es-ES'], /incidencia|caso\b/i, String(d.id));
    }
  });

  it('names the broken rule in the error details (the web says it in the reader’s language)', () => {
    const ruleOf = (id: number, value: unknown) => {
      try {
        validateParameterValue(def(id), value);
      } catch (error) {
        return (error as DomainError).details;
      }
      return undefined;
    };
    assert.deepEqual(ruleOf(269, 0), { parameter: 269, rule: 'port' });
    assert.deepEqual(ruleOf(14, 'not a host!'), { parameter: 14, rule: 'host' });
    assert.deepEqual(ruleOf(11, null), { parameter: 11, rule: 'required' });
    assert.deepEqual(ruleOf(199, 'ssl'), { parameter: 199, rule: 'enum', options: ['none', 'starttls', 'tls'] });
  });

  it('has sensible defaults: port 587, STARTTLS, no authentication, nothing else set', () => {
    assert.equal(def(269).defaultValue, 587);
    assert.equal(def(199).defaultValue, 'starttls');
    assert.deepEqual(def(199).options, ['none', 'starttls', 'tls']);
    assert.equal(def(11).defaultValue, false);
    for (const id of [417, 10, 12, 13, 14]) assert.equal(def(id).defaultValue, null, String(id));
  });

  it('validates every default value of its own type (but of a parameter that, once set, cannot be emptied)', () => {
    for (const d of PARAMETER_CATALOGUE.filter((d) => !d.required))
      assert.deepEqual(validateParameterValue(d, d.defaultValue), d.defaultValue, String(d.id));
  });

  it('parameterDefinition is undefined for an unknown number', () => {
    assert.equal(parameterDefinition(1), undefined);
  });
});

describe('validateParameterValue: templateId (417)', () => {
  it('accepts a positive integer, as a number or a string', () => {
    accepts(417, 12, 12);
    accepts(417, '12', 12);
    accepts(417, ' 7 ', 7);
  });

  it('accepts empty (messaging off)', () => {
    accepts(417, null, null);
    accepts(417, '', null);
  });

  it('refuses zero, negatives, fractions, words and other types', () => {
    for (const bad of [0, -1, '0', '-1', 1.5, '1.5', 'abc', '12abc', Number.NaN, Infinity, 2 ** 53, true, {}, []])
      refuses(417, bad);
  });
});

describe('validateParameterValue: email (10)', () => {
  it('accepts an address and trims it', () => {
    accepts(10, 'desk@parley.example', 'desk@parley.example');
    accepts(10, '  desk@parley.example ', 'desk@parley.example');
    accepts(10, null, null);
  });

  it('refuses what is not one address, CR/LF included', () => {
    for (const bad of [
      'desk',
      'desk@',
      '@parley.example',
      'desk@localhost',
      'a b@parley.example',
      'desk@parley.example\r\nBcc: x@y.example',
      'Desk <desk@parley.example>',
      'a@b.example,c@d.example',
      42,
    ]) {
      refuses(10, bad);
    }
  });
});

describe('validateParameterValue: boolean (11)', () => {
  it('accepts true and false', () => {
    accepts(11, true, true);
    accepts(11, false, false);
  });

  it('refuses strings, numbers and empty', () => {
    for (const bad of ['true', 'yes', 1, 0, null, '']) refuses(11, bad);
  });
});

describe('validateParameterValue: text (12) and secret (13)', () => {
  for (const id of [12, 13, 9001]) {
    it(`${id}: accepts one line of up to 255 characters, accents and symbols included`, () => {
      accepts(id, 'smtp-user@example.com', 'smtp-user@example.com');
      accepts(id, 'çãõ ñ €$%{}"\'', 'çãõ ñ €$%{}"\'');
      accepts(id, 'x'.repeat(255), 'x'.repeat(255));
      accepts(id, null, null);
      accepts(id, '', null);
    });

    it(`${id}: refuses CR, LF, NUL, over-long values and non-strings`, () => {
      for (const bad of ['a\r\nb', 'a\nb', 'a\rb', 'Name\r\nBcc: x@y.example', 'a\u0000b', 'x'.repeat(256), 5, true])
        refuses(id, bad);
    });
  }
});

describe('validateParameterValue: host (14)', () => {
  it('accepts host names and IP addresses, trimmed', () => {
    for (const host of [
      'smtp.example.com',
      'localhost',
      'mail-01.corp.example',
      '10.0.0.25',
      '255.255.255.255',
      '2001:db8::25',
      '[2001:db8::25]',
    ]) {
      accepts(14, host, host);
    }
    accepts(14, ' smtp.example.com ', 'smtp.example.com');
    accepts(14, 'smtp.example.com\r\n', 'smtp.example.com');
    accepts(14, null, null);
  });

  it('refuses what is not a host name', () => {
    for (const bad of [
      'smtp example.com',
      'smtp.example.com:25',
      'smtp.example.com\r\nRCPT TO:<x@y.example>',
      'a\nb',
      'http://smtp.example.com',
      '-smtp.example.com',
      'a..b',
      '256.1.1.1',
      `${'a'.repeat(64)}.example`,
      'x'.repeat(254),
      25,
    ]) {
      refuses(14, bad);
    }
  });

  it('refuses link-local and metadata addresses', () => {
    for (const bad of [
      '169.254.169.254',
      '169.254.0.1',
      'fe80::1',
      'FE80::1',
      '[fe80::1]',
      'febf::1',
      'fd00:ec2::254',
      'metadata.google.internal',
      'METADATA.google.internal',
      'metadata',
    ]) {
      refuses(14, bad);
    }
  });
});

describe('isHostName', () => {
  it('checks IPv4 octets, labels and length', () => {
    assert.equal(isHostName('192.168.1.1'), true);
    assert.equal(isHostName('192.168.1.256'), false);
    assert.equal(isHostName('smtp.example.com'), true);
    assert.equal(isHostName(''), false);
    assert.equal(isHostName('under_score.example'), false);
    assert.equal(isHostName(`${'a'.repeat(63)}.example`), true);
    assert.equal(isHostName(`${'a'.repeat(64)}.example`), false);
  });
});

describe('isForbiddenHost', () => {
  it('forbids link-local IPv4, link-local IPv6 and cloud metadata names', () => {
    for (const host of [
      '169.254.169.254',
      '169.254.1.2',
      'fe80::1',
      '[FE80::abcd]',
      'fea0::1',
      'fd00:ec2::254',
      'metadata.google.internal',
      'Metadata.Google.Internal',
      'metadata',
    ]) {
      assert.equal(isForbiddenHost(host), true, host);
    }
  });

  it('allows ordinary hosts and addresses next to the forbidden ranges', () => {
    for (const host of [
      'smtp.example.com',
      '10.0.0.1',
      '169.253.255.255',
      '169.255.0.1',
      '254.169.1.1',
      '2001:db8::1',
      'fec0::1',
      'metadata.example.com',
    ]) {
      assert.equal(isForbiddenHost(host), false, host);
    }
  });

  it('forbids 169.254.169.254 written in the other forms the system resolver accepts', () => {
    // getaddrinfo() resolves every one of these to 169.254.169.254, and isHostName() accepts them all.
    for (const host of [
      '2852039166',
      '0xa9fea9fe',
      '0251.0376.0251.0376',
      '169.16689662',
      '::ffff:a9fe:a9fe',
      '::ffff:169.254.169.254',
      '0:0:0:0:0:ffff:a9fe:a9fe',
      '0:0:0:0:0:ffff:169.254.169.254',
      '0::ffff:a9fe:a9fe',
      '[0000:0000:0000:0000:0000:ffff:a9fe:a9fe]',
      '64:ff9b::a9fe:a9fe',
      'fd00:ec2:0::254',
    ]) {
      assert.equal(isForbiddenHost(host), true, host);
      assert.throws(
        () => validateParameterValue(parameterDefinition(14)!, host),
        /PARAMETER_INVALID|Parameter 14/,
        host,
      );
    }
    // Numeric spellings that are not a plain dotted quad are not host names at all.
    for (const host of ['2852039166', '0xa9fea9fe', '0251.0376.0251.0376', '169.16689662', '127.1'])
      assert.equal(isHostName(host), false, host);
  });
});

describe('validateParameterValue: enum (199)', () => {
  it('accepts none, starttls and tls', () => {
    for (const v of ['none', 'starttls', 'tls']) accepts(199, v, v);
  });

  it('refuses other values, other cases and empty', () => {
    for (const bad of ['STARTTLS', 'ssl', true, null, '']) refuses(199, bad);
  });
});

describe('validateParameterValue: port (269)', () => {
  it('accepts 1 to 65535 as a number or a string', () => {
    accepts(269, 1, 1);
    accepts(269, 25, 25);
    accepts(269, '587', 587);
    accepts(269, 65535, 65535);
  });

  it('refuses out of range, fractions, words and empty', () => {
    for (const bad of [0, -1, 65536, '65536', '0', 1.5, '25a', 'smtp', Number.NaN, true, null, '']) refuses(269, bad);
  });
});

describe('validateParameterValue: days (9017, how long the audit log is kept)', () => {
  it('is 365 by default and accepts 1 to 36500 whole days, as a number or a string', () => {
    assert.equal(def(PARAM.AUDIT_RETENTION_DAYS).defaultValue, 365);
    accepts(9017, 1, 1);
    accepts(9017, '30', 30);
    accepts(9017, 36500, 36500);
  });

  it('refuses zero, negatives, fractions, words, too many days and empty', () => {
    for (const bad of [0, -1, 36501, 1.5, '1.5', 'a year', true, null, '']) refuses(9017, bad);
  });
});

describe('validateParameterValue: groupId that cannot be emptied (9018, the default team)', () => {
  it('is unset until named, takes the ID of a team, and refuses to be emptied again', () => {
    assert.equal(def(PARAM.DEFAULT_TEAM).defaultValue, null);
    assert.equal(def(PARAM.DEFAULT_TEAM).type, 'groupId');
    accepts(9018, 3, 3);
    accepts(9018, '3', 3);
    for (const bad of [0, -1, 1.5, 'Group A', true, null, '']) refuses(9018, bad);
  });
});
