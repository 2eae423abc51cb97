import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import {
  cleanName,
  isEmailAddress,
  isRole,
  isStaff,
  MAX_PASSWORD_LENGTH,
  MIN_PASSWORD_LENGTH,
  normalizeEmail,
  validateNewUser,
  validatePassword,
  type NewUserInput,
} from './user.ts';

const base: NewUserInput = { role: 'requester', email: 'maria@example.com', name: 'Maria' };

function refusedField(fn: () => unknown, field: string): DomainError {
  let caught: unknown;
  try {
    fn();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof DomainError, `expected a DomainError, got ${String(caught)}`);
  assert.equal(caught.code, 'USER_INVALID');
  assert.equal(caught.details?.field, field);
  return caught;
}

describe('roles', () => {
  it('isRole knows requester, technician and admin only', () => {
    for (const role of ['requester', 'technician', 'admin']) assert.equal(isRole(role), true);
    for (const role of ['Admin', 'root', '', null, 1]) assert.equal(isRole(role), false, String(role));
  });

  it('technicians and admins are staff, requesters are not', () => {
    assert.equal(isStaff({ role: 'technician' }), true);
    assert.equal(isStaff({ role: 'admin' }), true);
    assert.equal(isStaff({ role: 'requester' }), false);
  });
});

describe('email addresses', () => {
  it('normalizeEmail trims and lower-cases', () => {
    assert.equal(normalizeEmail('  Maria.Silva@Example.COM \n'), 'maria.silva@example.com');
  });

  it('isEmailAddress accepts ordinary addresses', () => {
    for (const email of [
      'a@example.com',
      'maria.silva+desk@mail.example.co.uk',
      'joão@example.com',
      'x_y-z@sub-domain.example',
    ]) {
      assert.equal(isEmailAddress(email), true, email);
    }
  });

  it('isEmailAddress refuses malformed addresses, header injection and non-strings', () => {
    const bad = [
      '',
      'maria',
      'maria@',
      '@example.com',
      'maria@localhost',
      'maria@@example.com',
      'ma ria@example.com',
      'maria@exa_mple.com',
      'maria@-example.com',
      'maria@example.com\r\nBcc: x@example.com',
      'maria@example.com\n',
      'Maria <maria@example.com>',
      'a@example.com,b@example.com',
      `${'a'.repeat(250)}@example.com`,
      null,
      42,
    ];
    for (const email of bad) assert.equal(isEmailAddress(email), false, JSON.stringify(email));
  });
});

describe('cleanName', () => {
  it('trims and keeps accents', () => {
    assert.equal(cleanName('  João Muñoz  ', 'name'), 'João Muñoz');
  });

  it('refuses empty, over-long and multi-line names with the given code', () => {
    for (const bad of ['', '   ', 'x'.repeat(121), 'a\nb', 'a\r\nb', 'a\tb', 'a\u0000b', 'a\u007fb']) {
      assert.throws(() => cleanName(bad, 'name'), { code: 'USER_INVALID' }, JSON.stringify(bad));
    }
    assert.throws(() => cleanName('', 'title', 'TICKET_INVALID'), {
      code: 'TICKET_INVALID',
      details: { field: 'title' },
    });
  });

  it('accepts exactly 120 characters', () => {
    assert.equal(cleanName('x'.repeat(120), 'name').length, 120);
  });
});

describe('validatePassword', () => {
  it(`accepts ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`, () => {
    assert.equal(MIN_PASSWORD_LENGTH, 10);
    assert.equal(MAX_PASSWORD_LENGTH, 200);
    validatePassword('x'.repeat(MIN_PASSWORD_LENGTH));
    validatePassword('x'.repeat(MAX_PASSWORD_LENGTH));
    validatePassword('çãõ ñ €$ 🔑 long enough');
  });

  it('refuses shorter and longer passwords', () => {
    for (const bad of ['', 'x'.repeat(MIN_PASSWORD_LENGTH - 1), 'x'.repeat(MAX_PASSWORD_LENGTH + 1)]) {
      refusedField(() => validatePassword(bad), 'password');
    }
  });
});

describe('validateNewUser', () => {
  it('returns the clean user with defaults: en-US and UTC', () => {
    assert.deepEqual(validateNewUser({ ...base, email: '  Maria@Example.com ', name: '  Maria  ' }), {
      role: 'requester',
      email: 'maria@example.com',
      name: 'Maria',
      locale: 'en-US',
      timeZone: 'UTC',
    });
  });

  it('keeps a given locale and time zone; null means the default', () => {
    const user = validateNewUser({ ...base, role: 'technician', locale: 'pt-BR', timeZone: 'America/Sao_Paulo' });
    assert.equal(user.role, 'technician');
    assert.equal(user.locale, 'pt-BR');
    assert.equal(user.timeZone, 'America/Sao_Paulo');
    const defaults = validateNewUser({ ...base, locale: null, timeZone: null });
    assert.equal(defaults.locale, 'en-US');
    assert.equal(defaults.timeZone, 'UTC');
  });

  it('does not return the password', () => {
    const user = validateNewUser({ ...base, password: 'a long enough password' });
    assert.equal('password' in user, false);
  });

  it('refuses an unknown role', () => {
    refusedField(() => validateNewUser({ ...base, role: 'superuser' }), 'role');
  });

  it('refuses a bad email address and names it', () => {
    const error = refusedField(() => validateNewUser({ ...base, email: 'not-an-email' }), 'email');
    assert.match(error.message, /not-an-email/);
    refusedField(() => validateNewUser({ ...base, email: 'a@example.com\r\nBcc: b@example.com' }), 'email');
  });

  it('refuses a bad name', () => {
    refusedField(() => validateNewUser({ ...base, name: ' ' }), 'name');
    refusedField(() => validateNewUser({ ...base, name: 'Evil\r\nBcc: x@example.com' }), 'name');
  });

  it('refuses a locale other than en-US, pt-BR or es-ES', () => {
    for (const locale of ['pt', 'fr-FR', 'pt-br', ''])
      refusedField(() => validateNewUser({ ...base, locale }), 'locale');
  });

  it('refuses an unknown time zone', () => {
    for (const timeZone of ['Mars/Olympus', '']) refusedField(() => validateNewUser({ ...base, timeZone }), 'timeZone');
  });

  it('checks the password only when one is given', () => {
    refusedField(() => validateNewUser({ ...base, password: 'short' }), 'password');
    refusedField(() => validateNewUser({ ...base, password: '' }), 'password');
    assert.equal(validateNewUser({ ...base, password: null }).email, 'maria@example.com');
  });
});
