import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { DomainError } from '../errors.ts';
import {
  checkVariantLocales,
  chooseVariant,
  inVariant,
  isLocaleTag,
  type TemplateVariant,
} from './template-variant.ts';

const v = (locale: string): TemplateVariant => ({ locale, subject: `s ${locale}`, html: `h ${locale}`, text: null });
const template = { ...v('en-US'), variants: [v('pt-BR'), v('es-ES'), v('es-MX'), v('fr')] };

describe('chooseVariant', () => {
  it('gives the exact locale, whatever its case', () => {
    assert.equal(chooseVariant(template, 'pt-BR').locale, 'pt-BR');
    assert.equal(chooseVariant(template, 'es-mx').locale, 'es-MX');
    assert.equal(chooseVariant(template, 'en-US').locale, 'en-US');
  });

  it('falls back to the same language: the first variant of it', () => {
    assert.equal(chooseVariant(template, 'pt-PT').locale, 'pt-BR');
    assert.equal(chooseVariant(template, 'es-AR').locale, 'es-ES');
    assert.equal(chooseVariant(template, 'fr-CA').locale, 'fr');
  });

  it('prefers the default when it is of the same language', () => {
    const t = { ...v('es-ES'), variants: [v('es-MX'), v('en-US')] };
    assert.equal(chooseVariant(t, 'es-AR').locale, 'es-ES');
    assert.equal(chooseVariant(t, 'es-MX').locale, 'es-MX');
  });

  it('falls back to the default for another language or no locale', () => {
    assert.equal(chooseVariant(template, 'de-DE').locale, 'en-US');
    assert.equal(chooseVariant(template, null).locale, 'en-US');
    assert.equal(chooseVariant(template, '').locale, 'en-US');
  });
});

describe('variant locales', () => {
  it('accepts BCP 47 tags and refuses others', () => {
    for (const ok of ['en-US', 'pt-BR', 'fr', 'zh-Hant-TW', 'de-CH-1996']) assert.ok(isLocaleTag(ok), ok);
    for (const bad of ['', 'e', 'en_US', 'en-', 'português', 'en US', 'x'.repeat(40)])
      assert.ok(!isLocaleTag(bad), bad);
  });

  it('refuses a locale given twice, in any case, naming it', () => {
    assert.throws(
      () => checkVariantLocales('en-US', [{ locale: 'pt-BR' }, { locale: 'PT-br' }]),
      (e: DomainError) => e.code === 'TEMPLATE_INVALID' && e.details?.variant === 'PT-br',
    );
    assert.throws(() => checkVariantLocales('en-US', [{ locale: 'en-us' }]), /two en-us variants/);
    assert.throws(
      () => checkVariantLocales('en-US', [{ locale: 'pt_BR' }]),
      (e: DomainError) => e.details?.variant === 'pt_BR',
    );
    checkVariantLocales('en-US', [{ locale: 'pt-BR' }, { locale: 'es-ES' }]);
  });

  it('names the variant in an error of its check', () => {
    assert.throws(
      () =>
        inVariant('pt-BR', false, () => {
          throw new DomainError('TEMPLATE_UNKNOWN_KEY', 'Unknown key ${X}.', { details: { key: 'X' } });
        }),
      (e: DomainError) =>
        e.code === 'TEMPLATE_UNKNOWN_KEY' &&
        e.message === 'In the pt-BR variant: Unknown key ${X}.' &&
        e.details?.variant === 'pt-BR' &&
        e.details?.key === 'X',
    );
  });
});
