import { DomainError } from '../errors.ts';
import { compileField, type CompiledField, type TemplatePart } from './compile-template.ts';
import { htmlToText, MARK_CLOSE, MARK_OPEN } from './html-to-text.ts';
import type { RenderContext, TemplateKey } from './key-registry.ts';
import { MAX_RENDERED_BODY, MAX_SUBJECT_LENGTH, renderField, worstCaseLength } from './render-template.ts';
import { checkVariantLocales, chooseVariant, inVariant, type TemplateVariant } from './template-variant.ts';

export interface EmailTemplate {
  id: number;
  name: string;
  subject: string;
  html: string;
  /** Optional; derived from the HTML body when absent. */
  text: string | null;
  /** The locale of the default variant (subject, html, text above). */
  locale: string;
  /** The variants besides the default, one per locale, in the order the administrator gave them. */
  variants: TemplateVariant[];
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

/** The fields of a template its audit entries compare (a body past `MAX_AUDIT_TEXT` is named as changed only). */
export const TEMPLATE_AUDITED_FIELDS = [
  'name',
  'subject',
  'active',
  'html',
  'text',
  'locale',
  'variants',
] as const satisfies readonly (keyof EmailTemplate)[];

/** A template as its audit entries compare it: the variants as one text (a long one named as changed only). */
export function audited(t: EmailTemplate): Omit<EmailTemplate, 'variants'> & { variants: string } {
  return { ...t, variants: JSON.stringify(t.variants) };
}

export interface EmailTemplateInput {
  name: string;
  subject: string;
  html: string;
  text?: string | null;
  /** The default variant's locale; en-US when left out. */
  locale?: string;
  /** The other variants; none when left out. */
  variants?: { locale: string; subject: string; html: string; text?: string | null }[];
  active?: boolean;
}

export interface CompiledTemplate {
  subject: CompiledField;
  html: CompiledField;
  text: CompiledField;
}

export const MAX_TEMPLATE_BODY = 200_000;

/** Checks everything a template must be before it is stored, each variant named in its errors; returns the clean input. */
export function validateTemplate(input: EmailTemplateInput): Required<EmailTemplateInput> & {
  text: string | null;
  variants: TemplateVariant[];
} {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError('TEMPLATE_INVALID', 'A template name must be 1 to 120 characters on one line.', {
      details: { field: 'name' },
    });
  }
  const locale = input.locale ?? 'en-US';
  const given = input.variants ?? [];
  checkVariantLocales(locale, given);
  const others = given.length > 0;
  // With one variant only, its errors read as they always did; with several, each names its variant.
  const main = others
    ? inVariant(locale, true, () => validateVariant({ ...input, locale }))
    : validateVariant({ ...input, locale });
  const variants = given.map((v) => inVariant(v.locale, false, () => validateVariant(v)));
  return { name, ...main, variants, active: input.active ?? true };
}

/** Checks one variant's subject and bodies. */
function validateVariant(input: {
  locale: string;
  subject: string;
  html: string;
  text?: string | null;
}): TemplateVariant {
  if (input.subject.trim().length === 0 || input.subject.length > MAX_SUBJECT_LENGTH) {
    throw new DomainError('TEMPLATE_INVALID', `The subject must be 1 to ${MAX_SUBJECT_LENGTH} characters.`, {
      details: { field: 'subject' },
    });
  }
  if (/[\u0000-\u001f\u007f]/.test(input.subject)) {
    throw new DomainError(
      'TEMPLATE_INVALID',
      'The subject must be one line: it cannot contain line breaks or control characters.',
      {
        details: { field: 'subject' },
      },
    );
  }
  if (input.html.trim().length === 0 || input.html.length > MAX_TEMPLATE_BODY) {
    throw new DomainError('TEMPLATE_INVALID', `The HTML body must be 1 to ${MAX_TEMPLATE_BODY} characters.`, {
      details: { field: 'html' },
    });
  }
  const text = input.text == null || input.text.trim() === '' ? null : input.text;
  if (text !== null && text.length > MAX_TEMPLATE_BODY) {
    throw new DomainError('TEMPLATE_INVALID', `The text body must be at most ${MAX_TEMPLATE_BODY} characters.`, {
      details: { field: 'text' },
    });
  }
  const clean = { locale: input.locale, subject: input.subject, html: input.html, text };
  const compiled = compileTemplate(clean);
  checkRenderedSize(compiled.html, 'html', 'HTML body');
  checkRenderedSize(compiled.text, 'text', text === null ? 'text body (made from the HTML body)' : 'text body');
  return clean;
}

/**
 * Refuses a template whose mails could be longer than `MAX_RENDERED_BODY` (thousands of `${COMMENTTEXT}`, each up
 * to a whole message): the bound is each key's longest value, as HTML escapes it, so a saved template always renders.
 */
function checkRenderedSize(field: CompiledField, mode: 'html' | 'text', what: string): void {
  const worst = worstCaseLength(field, mode);
  if (worst <= MAX_RENDERED_BODY) return;
  const uses = new Map<TemplateKey, number>();
  for (const part of field) if (typeof part !== 'string') uses.set(part, (uses.get(part) ?? 0) + 1);
  const [key, count] = [...uses].sort(([a, m], [b, n]) => b.maxLength * n - a.maxLength * m)[0] ?? [undefined, 0];
  const n = (x: number) => x.toLocaleString('en-US');
  throw new DomainError(
    'TEMPLATE_TOO_LARGE',
    `This template could make mails whose ${what} is up to ${n(worst)} characters long; the limit is ${n(MAX_RENDERED_BODY)}.` +
      (key
        ? ` It uses \${${key.name}} ${n(count)} times, and each can be up to ${n(key.maxLength)} characters: use it fewer times.`
        : ''),
    { details: { field: mode, limit: MAX_RENDERED_BODY, worstCase: worst, ...(key ? { key: key.name, count } : {}) } },
  );
}

export function compileTemplate(t: Pick<EmailTemplate, 'subject' | 'html' | 'text'>): CompiledTemplate {
  const html = compileField('html', t.html);
  return {
    subject: compileField('subject', t.subject),
    html,
    text: t.text == null ? deriveText(html) : compileField('text', t.text),
  };
}

/**
 * The text body of a template that has none: the compiled HTML's keys are kept as keys (stood in for by marks, one
 * per distinct key, while the markup is turned to text), so only the author's literal text is converted and an
 * entity such as `&#36;{X}` stays literal text instead of becoming a key. A mark names its key, so the conversion
 * may move, repeat or drop keys (a link's target follows its label; an attribute other than a link's is not text)
 * without the keys around them changing; entities never decode into a mark (html-to-text.ts), so every mark in the
 * output is one of these.
 */
function deriveText(html: CompiledField): CompiledField {
  const keys: TemplateKey[] = [];
  const strayMarks = new RegExp(`[${MARK_OPEN}${MARK_CLOSE}]`, 'g');
  const marked = html
    .map((p) => {
      if (typeof p === 'string') return p.replace(strayMarks, '');
      let n = keys.indexOf(p);
      if (n === -1) n = keys.push(p) - 1;
      return `${MARK_OPEN}${n}${MARK_CLOSE}`;
    })
    .join('');
  const parts: TemplatePart[] = [];
  htmlToText(marked)
    .split(new RegExp(`${MARK_OPEN}(\\d+)${MARK_CLOSE}`))
    .forEach((piece, i) => {
      if (i % 2 === 0) {
        if (piece) parts.push(piece);
      } else {
        parts.push(keys[Number(piece)]!);
      }
    });
  return parts;
}

const cache = new Map<string, { subject: string; html: string; text: string | null; compiled: CompiledTemplate }>();

/**
 * Compiled templates are memoised (a saved template was already checked). Looked up by id when there is one, and
 * used only if the content is still the same, so an edit is never served stale.
 */
export function compiledFor(
  t: Pick<EmailTemplate, 'subject' | 'html' | 'text'> & { id?: number; locale?: string },
): CompiledTemplate {
  const key = t.id === undefined ? JSON.stringify([t.subject, t.html, t.text]) : `id:${t.id}:${t.locale ?? ''}`;
  const hit = cache.get(key);
  if (hit && hit.subject === t.subject && hit.html === t.html && hit.text === t.text) return hit.compiled;
  const compiled = compileTemplate(t);
  if (!hit && cache.size >= 256) cache.delete(cache.keys().next().value!);
  cache.set(key, { subject: t.subject, html: t.html, text: t.text, compiled });
  return compiled;
}

/** The compiled variant of a template a recipient of `locale` receives (`chooseVariant`), memoised per variant. */
export function compiledForLocale(t: EmailTemplate, locale: string | null | undefined): CompiledTemplate {
  const variant = chooseVariant(t, locale);
  return compiledFor({ ...variant, id: t.id, locale: variant.locale.toLowerCase() });
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

/** A mail from a compiled template; its text part never ends in blank lines (a last key with nothing to say). */
export function renderTemplate(compiled: CompiledTemplate, ctx: RenderContext): RenderedMail {
  return {
    subject: renderField(compiled.subject, ctx, 'subject'),
    html: renderField(compiled.html, ctx, 'html'),
    text: renderField(compiled.text, ctx, 'text').trimEnd(),
  };
}
