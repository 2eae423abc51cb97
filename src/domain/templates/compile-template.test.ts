import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import { compileField, usedKeys, type CompiledField } from './compile-template.ts';
import { allKeyNames, findTemplateKey, TEMPLATE_KEYS, type TemplateKey } from './key-registry.ts';

/** Runs `fn`, expects a DomainError with `code`, and returns it for closer inspection. */
function domainError(fn: () => unknown, code: string): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DomainError, `expected a DomainError, got ${String(caught)}`);
  assert.equal(caught.code, code);
  return caught;
}

function keyPart(part: CompiledField[number] | undefined): TemplateKey {
  assert.ok(part !== undefined && typeof part !== 'string', `expected a key, got ${JSON.stringify(part)}`);
  return part;
}

describe('compileField: accepted keys', () => {
  for (const key of TEMPLATE_KEYS) {
    for (const name of [key.name, ...key.aliases]) {
      it(`accepts \${${name}} and resolves it to the ${key.name} key`, () => {
        const parts = compileField('html', `<p>\${${name}}</p>`);
        assert.equal(parts.length, 3);
        assert.equal(parts[0], '<p>');
        assert.equal(keyPart(parts[1]), key);
        assert.equal(parts[2], '</p>');
      });
    }
  }

  it('every name the registry lists compiles in all three fields', () => {
    for (const name of allKeyNames()) {
      for (const field of ['subject', 'html', 'text'] as const) {
        const parts = compileField(field, `\${${name}}`);
        assert.equal(parts.length, 1);
        assert.equal(keyPart(parts[0]), findTemplateKey(name));
      }
    }
  });

  it('aliases resolve to the same key object as their canonical name', () => {
    const parts = compileField('text', '${IDSERVICEREQUEST}${IDSOLICITACAOSERVICO}${IDSOLICITUDSERVICIO}');
    assert.equal(parts.length, 3);
    const [a, b, c] = parts.map(keyPart);
    assert.equal(a, b);
    assert.equal(b, c);
    assert.equal(a?.name, 'IDSERVICEREQUEST');
  });

  it('keeps literal text and keys in order, including adjacent keys and a trailing literal', () => {
    const parts = compileField('subject', '[#${IDSERVICEREQUEST}] ${TICKETTITLE}${TICKETSTATUS} end');
    assert.equal(parts.length, 6);
    assert.equal(parts[0], '[#');
    assert.equal(keyPart(parts[1]).name, 'IDSERVICEREQUEST');
    assert.equal(parts[2], '] ');
    assert.equal(keyPart(parts[3]).name, 'TICKETTITLE');
    assert.equal(keyPart(parts[4]).name, 'TICKETSTATUS');
    assert.equal(parts[5], ' end');
  });

  it('a source without keys is one literal part; an empty source has no parts', () => {
    assert.deepEqual(compileField('html', '<p>Hello</p>'), ['<p>Hello</p>']);
    assert.deepEqual(compileField('html', ''), []);
  });

  it('`$` alone, `{}` alone and `$ {` are literal text', () => {
    const source = 'Cost: $5 {} {KEY} $ {IDSERVICEREQUEST} $$ }';
    assert.deepEqual(compileField('text', source), [source]);
  });

  it('a `$` right before a key stays literal and the key is still found', () => {
    const parts = compileField('text', 'US$${IDSERVICEREQUEST}');
    assert.equal(parts[0], 'US$');
    assert.equal(keyPart(parts[1]).name, 'IDSERVICEREQUEST');
  });

  it('usedKeys lists each key once, by its canonical name, in order of first use', () => {
    const parts = compileField('html', '${DATAHORA} ${IDSOLICITACAOSERVICO} ${DATETIMECREATED} ${COMMENTTEXT}');
    // Aliases are resolved at compile time, so an alias and its canonical name count as one key.
    assert.deepEqual(usedKeys(parts), ['DATETIMECREATED', 'IDSERVICEREQUEST', 'COMMENTTEXT']);
  });
});

describe('compileField: unknown keys', () => {
  it('refuses a key outside the registry with TEMPLATE_UNKNOWN_KEY and its position on line 1', () => {
    const error = domainError(() => compileField('subject', 'Ticket ${SMTP_PASSWORD}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.field, 'subject');
    assert.equal(error.details?.key, 'SMTP_PASSWORD');
    assert.equal(error.details?.line, 1);
    assert.equal(error.details?.column, 8);
    assert.equal(error.details?.offset, 7);
    assert.match(error.message, /\$\{SMTP_PASSWORD\}/);
    assert.match(error.message, /subject/);
    assert.match(error.message, /line 1, column 8/);
  });

  it('reports line, column and offset correctly on multi-line input', () => {
    const source = '<p>Hello ${USERNAME}</p>\n<p>\n  Ticket: ${NOPE}\n</p>';
    const offset = source.indexOf('${NOPE}');
    const error = domainError(() => compileField('html', source), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.field, 'html');
    assert.equal(error.details?.key, 'NOPE');
    assert.equal(error.details?.line, 3);
    assert.equal(error.details?.column, 11);
    assert.equal(error.details?.offset, offset);
    assert.equal(offset, 39);
    assert.match(error.message, /HTML body at line 3, column 11/);
  });

  it('counts a CRLF line break as one line and restarts the column', () => {
    const error = domainError(() => compileField('text', 'a\r\nbb\r\n${X}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.line, 3);
    assert.equal(error.details?.column, 1);
    assert.equal(error.details?.offset, 7);
    assert.match(error.message, /text body/);
  });

  it('reports the first unknown key when there are several', () => {
    const error = domainError(() => compileField('html', '${COMMENTTEXT} ${FIRST} ${SECOND}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, 'FIRST');
    assert.equal(error.details?.offset, 15);
  });

  it('lists the known keys in the details', () => {
    const error = domainError(() => compileField('html', '${NOPE}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.deepEqual(error.details?.knownKeys, allKeyNames());
  });

  it('a lower-case key is refused with a hint naming the upper-case key', () => {
    const error = domainError(() => compileField('html', 'Hi ${username}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, 'username');
    assert.match(error.message, /upper case: \$\{USERNAME\}/);
  });

  it('a mixed-case alias with spaces gets the hint too', () => {
    const error = domainError(() => compileField('subject', '${ DataHora }'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, ' DataHora ');
    assert.match(error.message, /\$\{DATAHORA\}/);
  });

  it('an unknown key gets no upper-case hint', () => {
    const error = domainError(() => compileField('html', '${whatever}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.doesNotMatch(error.message, /upper case/);
  });

  it('an empty `${}` is an unknown key', () => {
    const error = domainError(() => compileField('text', 'x ${}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, '');
    assert.equal(error.details?.column, 3);
  });

  it('a nested `${${KEY}}` is refused, not expanded', () => {
    const error = domainError(() => compileField('text', '${${IDSERVICEREQUEST}}'), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, '${IDSERVICEREQUEST');
  });
});

describe('compileField: syntax errors', () => {
  it('an unclosed `${` is TEMPLATE_SYNTAX_ERROR with its position', () => {
    const source = 'line one\nline ${IDSERVICEREQUEST';
    const error = domainError(() => compileField('html', source), 'TEMPLATE_SYNTAX_ERROR');
    assert.equal(error.details?.field, 'html');
    assert.equal(error.details?.line, 2);
    assert.equal(error.details?.column, 6);
    assert.equal(error.details?.offset, 14);
    assert.match(error.message, /HTML body/);
    assert.match(error.message, /line 2, column 6/);
  });

  it('an unclosed `${` after a valid key is reported at the unclosed one', () => {
    const error = domainError(() => compileField('subject', '${IDSERVICEREQUEST} ${'), 'TEMPLATE_SYNTAX_ERROR');
    assert.equal(error.details?.field, 'subject');
    assert.equal(error.details?.offset, 20);
    assert.equal(error.details?.column, 21);
  });

  it('a `}` more than 64 characters away does not close a `${`', () => {
    const error = domainError(() => compileField('text', `\${${'A'.repeat(65)}}`), 'TEMPLATE_SYNTAX_ERROR');
    assert.equal(error.details?.offset, 0);
  });

  it('a 64-character name is still read as a (unknown) key', () => {
    const name = 'A'.repeat(64);
    const error = domainError(() => compileField('text', `\${${name}}`), 'TEMPLATE_UNKNOWN_KEY');
    assert.equal(error.details?.key, name);
  });
});
