import { DomainError } from '../errors.ts';

/** One language of a template: what a recipient of that locale receives. */
export interface TemplateVariant {
  /** A BCP 47 tag as the administrator wrote it (`pt-BR`, `es-ES`, `fr`, `de-CH` ...). */
  locale: string;
  subject: string;
  html: string;
  /** Optional; derived from the HTML body when absent. */
  text: string | null;
}

/** The most variants a template may have besides its default. */
export const MAX_TEMPLATE_VARIANTS = 20;

/** A language subtag (2–3 letters, or 5–8) and up to seven subtags of 1–8 letters or digits. */
const BCP47 = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,7}$|^[A-Za-z]{5,8}(?:-[A-Za-z0-9]{1,8}){0,7}$/;

export function isLocaleTag(value: string): boolean {
  return value.length <= 35 && BCP47.test(value);
}

/** A template's default variant (its own fields) and its other variants, in that order. */
export function allVariants(t: TemplateVariant & { variants: readonly TemplateVariant[] }): TemplateVariant[] {
  return [{ locale: t.locale, subject: t.subject, html: t.html, text: t.text }, ...t.variants];
}

const language = (tag: string) => tag.toLowerCase().split('-')[0]!;

/**
 * The variant a recipient of `locale` receives: the exact locale (any case), then the first variant of the same
 * language (the default first, then the others in order), then the default.
 */
export function chooseVariant(
  t: TemplateVariant & { variants: readonly TemplateVariant[] },
  locale: string | null | undefined,
): TemplateVariant {
  if (t.variants.length === 0 || !locale) return t;
  const wanted = locale.toLowerCase();
  if (t.locale.toLowerCase() === wanted) return t;
  const exact = t.variants.find((v) => v.locale.toLowerCase() === wanted);
  if (exact) return exact;
  const lang = language(wanted);
  if (language(t.locale) === lang) return t;
  return t.variants.find((v) => language(v.locale) === lang) ?? t;
}

/** Checks the locales of a template's variants: each a BCP 47 tag, none twice (the default's included). */
export function checkVariantLocales(defaultLocale: string, variants: readonly { locale: string }[]): void {
  if (variants.length > MAX_TEMPLATE_VARIANTS) {
    throw new DomainError(
      'TEMPLATE_INVALID',
      `A template can have at most ${MAX_TEMPLATE_VARIANTS} languages besides its default.`,
      { details: { field: 'variants', limit: MAX_TEMPLATE_VARIANTS } },
    );
  }
  const seen = new Set<string>();
  for (const [i, locale] of [defaultLocale, ...variants.map((v) => v.locale)].entries()) {
    if (!isLocaleTag(locale)) {
      throw new DomainError(
        'TEMPLATE_INVALID',
        `"${locale.slice(0, 40)}" is not a language tag: write a language and a region, such as pt-BR or es-ES.`,
        { details: { field: 'locale', ...(i > 0 ? { variant: locale.slice(0, 40) } : {}) } },
      );
    }
    if (seen.has(locale.toLowerCase())) {
      throw new DomainError('TEMPLATE_INVALID', `The template has two ${locale} variants: keep one of them.`, {
        details: { field: 'locale', variant: locale },
      });
    }
    seen.add(locale.toLowerCase());
  }
}

/** Runs a check of one variant, naming the variant in the error it throws. */
export function inVariant<T>(locale: string, isDefault: boolean, check: () => T): T {
  try {
    return check();
  } catch (e) {
    if (!(e instanceof DomainError)) throw e;
    const which = isDefault ? `the default variant (${locale})` : `the ${locale} variant`;
    throw new DomainError(e.code, `In ${which}: ${e.message}`, {
      cause: e,
      details: { ...e.details, variant: locale },
    });
  }
}
