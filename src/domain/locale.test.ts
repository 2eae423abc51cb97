import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DEFAULT_LOCALE, isLocale, isTimeZone, LOCALES, resolveLocale } from './locale.ts';

describe('isLocale', () => {
  it('accepts exactly en-US, pt-BR and es-ES', () => {
    assert.deepEqual([...LOCALES], ['en-US', 'pt-BR', 'es-ES']);
    for (const locale of LOCALES) assert.equal(isLocale(locale), true);
    for (const other of ['pt', 'pt-br', 'en', 'es-MX', 'fr-FR', '', null, undefined, 1])
      assert.equal(isLocale(other), false, String(other));
  });
});

describe('resolveLocale', () => {
  it('keeps a supported locale', () => {
    for (const locale of LOCALES) assert.equal(resolveLocale(locale), locale);
  });

  it('maps a bare language to its supported variant', () => {
    assert.equal(resolveLocale('pt'), 'pt-BR');
    assert.equal(resolveLocale('es'), 'es-ES');
    assert.equal(resolveLocale('en'), 'en-US');
  });

  it('maps another region of a supported language to the supported one', () => {
    assert.equal(resolveLocale('es-MX'), 'es-ES');
    assert.equal(resolveLocale('pt-PT'), 'pt-BR');
    assert.equal(resolveLocale('en-GB'), 'en-US');
  });

  it('ignores case and accepts an underscore separator', () => {
    assert.equal(resolveLocale('PT-br'), 'pt-BR');
    assert.equal(resolveLocale('pt_BR'), 'pt-BR');
    assert.equal(resolveLocale('ES'), 'es-ES');
  });

  it('falls back to en-US for an unsupported language or nothing', () => {
    assert.equal(DEFAULT_LOCALE, 'en-US');
    for (const requested of ['fr', 'fr-FR', 'de', '*', '', null, undefined])
      assert.equal(resolveLocale(requested), 'en-US', String(requested));
  });
});

describe('isTimeZone', () => {
  it('accepts IANA time zones', () => {
    for (const tz of ['UTC', 'America/Sao_Paulo', 'America/New_York', 'Europe/Madrid', 'Asia/Tokyo', 'Etc/GMT+3'])
      assert.equal(isTimeZone(tz), true, tz);
  });

  it('refuses unknown names, empty, over-long and non-strings', () => {
    for (const tz of ['Mars/Olympus', 'America/Atlantis', '', 'Europe/' + 'x'.repeat(60), null, undefined, 0, {}]) {
      assert.equal(isTimeZone(tz), false, String(tz));
    }
  });
});
