import { ApiError } from '../../../api.ts';
import { LOCALES, type EmailTemplate } from '../../../types.ts';

/** One language of the template being edited: what a recipient of `locale` receives. */
export interface VariantDraft {
  locale: string;
  subject: string;
  html: string;
  text: string;
}

/** The template being edited: every variant (the default among them, named by `defaultLocale`) in tab order. */
export interface Draft {
  name: string;
  active: boolean;
  defaultLocale: string;
  variants: VariantDraft[];
}

/** The languages offered first when a variant is added; any other BCP 47 tag may be typed. */
export const SUGGESTED_LOCALES: readonly string[] = LOCALES;

/** The same check the server makes (domain/templates/template-variant.ts, `isLocaleTag`). */
const BCP47 = /^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8}){0,7}$|^[A-Za-z]{5,8}(?:-[A-Za-z0-9]{1,8}){0,7}$/;
export function isLocaleTag(value: string): boolean {
  return value.length <= 35 && BCP47.test(value);
}

export const sameLocale = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export function findVariant(draft: Draft, locale: string): VariantDraft | undefined {
  return draft.variants.find((v) => sameLocale(v.locale, locale));
}

/** A new template: one variant, in the writer's language. */
export function emptyDraft(locale: string): Draft {
  return { name: '', active: true, defaultLocale: locale, variants: [{ locale, subject: '', html: '', text: '' }] };
}

/** A stored template as a draft: its default first, then its other variants as the server orders them. */
export function draftOf(t: EmailTemplate): Draft {
  return {
    name: t.name,
    active: t.active,
    defaultLocale: t.locale,
    variants: [t, ...t.variants].map((v) => ({
      locale: v.locale,
      subject: v.subject,
      html: v.html,
      text: v.text ?? '',
    })),
  };
}

const variantBody = (v: VariantDraft) => ({
  subject: v.subject,
  html: v.html,
  text: v.text.trim() ? v.text : null,
});

/** The body of a save: the default variant's fields, then the others. */
export function bodyOf(draft: Draft) {
  const main = findVariant(draft, draft.defaultLocale) ?? draft.variants[0]!;
  return {
    name: draft.name.trim(),
    active: draft.active,
    locale: main.locale,
    ...variantBody(main),
    variants: draft.variants.filter((v) => v !== main).map((v) => ({ locale: v.locale, ...variantBody(v) })),
  };
}

const sameVariant = (a: VariantDraft, b: VariantDraft) =>
  a.locale === b.locale && a.subject === b.subject && a.html === b.html && a.text === b.text;

/** Whether the stored template has this variant exactly as drafted: 'saved', 'changed', or 'new' (never saved). */
export function variantState(stored: Draft | null, variant: VariantDraft): 'saved' | 'changed' | 'new' {
  const was = stored && findVariant(stored, variant.locale);
  if (!was) return 'new';
  return sameVariant(was, variant) ? 'saved' : 'changed';
}

/**
 * The variant a refused save names (the server's `details.variant`), or the default when the error is about a field
 * of a template that has one variant only; undefined when it names none (the name, say).
 */
export function variantOfError(error: unknown, draft: Draft): string | undefined {
  if (!(error instanceof ApiError) || !error.code.startsWith('TEMPLATE_')) return undefined;
  const d = error.details ?? {};
  const named = typeof d.variant === 'string' ? findVariant(draft, d.variant) : undefined;
  if (named) return named.locale;
  if (draft.variants.length === 1 && ['subject', 'html', 'text'].includes(String(d.field))) return draft.defaultLocale;
  return undefined;
}
