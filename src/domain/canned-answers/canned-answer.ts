import type { AuditChange } from '../audit/audit-entry.ts';
import { DomainError } from '../errors.ts';
import { compileField, type CompiledField } from '../templates/compile-template.ts';
import { MAX_RENDERED_BODY, worstCaseLength } from '../templates/render-template.ts';

/** The most language variants one answer may have, and the longest text of one. */
export const MAX_VARIANTS = 20;
export const MAX_ANSWER_TEXT = 20_000;

/** Who an answer belongs to: a team (managed by administrators) or one technician (personal). */
export type CannedAnswerScope = { kind: 'team'; groupId: number } | { kind: 'personal'; ownerId: number };

export interface CannedAnswerVariant {
  /** A BCP 47 language tag, in its canonical spelling (`pt-BR`, `es-ES`, `en`, `fr-CA`). */
  locale: string;
  text: string;
  isDefault: boolean;
}

export interface CannedAnswer {
  id: number;
  name: string;
  scope: CannedAnswerScope;
  /** The default variant first, then by locale. */
  variants: CannedAnswerVariant[];
  createdAt: string;
  updatedAt: string;
}

/** What is stored: a checked name and variants, exactly one of them the default. */
export interface CannedAnswerRow {
  name: string;
  scope: CannedAnswerScope;
  variants: CannedAnswerVariant[];
}

export interface CannedAnswerInput {
  name: string;
  variants: { locale: string; text: string; isDefault?: boolean }[];
}

function invalid(message: string, details: Record<string, unknown>): DomainError {
  return new DomainError('CANNED_ANSWER_INVALID', message, { details });
}

/** The canonical spelling of a BCP 47 tag (`PT-br` → `pt-BR`), or undefined when it is not one. */
export function canonicalLocale(tag: string): string | undefined {
  if (tag.length === 0 || tag.length > 35) return undefined;
  try {
    return Intl.getCanonicalLocales(tag)[0];
  } catch {
    return undefined;
  }
}

/** Parses a variant's text as a template field is parsed: an unknown key is refused, naming the key and the variant. */
export function compileAnswerText(locale: string, text: string): CompiledField {
  try {
    return compileField('text', text);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const { line, column, key } = (error.details ?? {}) as { line?: number; column?: number; key?: string };
    if (error.code === 'TEMPLATE_UNKNOWN_KEY') {
      throw new DomainError(
        'CANNED_ANSWER_UNKNOWN_KEY',
        `Unknown key \${${key}} in the ${locale} text at line ${line}, column ${column}.`,
        { details: { locale, key, line, column } },
      );
    }
    throw new DomainError(
      'CANNED_ANSWER_SYNTAX_ERROR',
      `The ${locale} text has "\${" without a closing "}" at line ${line}, column ${column}.`,
      { details: { locale, line, column } },
    );
  }
}

/** Checks an answer before it is stored: a name, 1 to 20 variants of distinct languages, each text's keys known. */
export function validateCannedAnswer(input: CannedAnswerInput, scope: CannedAnswerScope): CannedAnswerRow {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name))
    throw invalid('The name must be 1 to 120 characters on one line.', { field: 'name' });
  if (input.variants.length === 0 || input.variants.length > MAX_VARIANTS)
    throw invalid(`An answer has 1 to ${MAX_VARIANTS} languages.`, { field: 'variants' });
  const seen = new Set<string>();
  const variants = input.variants.map((v) => {
    const locale = canonicalLocale(v.locale.trim());
    if (!locale)
      throw invalid(`"${v.locale}" is not a language tag such as pt-BR.`, { field: 'locale', locale: v.locale });
    if (seen.has(locale)) throw invalid(`The language ${locale} is given twice.`, { field: 'locale', locale });
    seen.add(locale);
    if (v.text.trim().length === 0 || v.text.length > MAX_ANSWER_TEXT)
      throw invalid(`The ${locale} text must be 1 to ${MAX_ANSWER_TEXT} characters.`, { field: 'text', locale });
    if (worstCaseLength(compileAnswerText(locale, v.text), 'text') > MAX_RENDERED_BODY)
      throw invalid(
        `The ${locale} text could become longer than ${MAX_RENDERED_BODY.toLocaleString('en-US')} characters once its keys are filled in: use long keys such as \${COMMENTTEXT} fewer times.`,
        { field: 'size', locale },
      );
    return { locale, text: v.text, isDefault: v.isDefault === true };
  });
  const defaults = variants.filter((v) => v.isDefault).length;
  if (defaults > 1) throw invalid('Only one language can be the default.', { field: 'isDefault' });
  if (defaults === 0) variants[0]!.isDefault = true;
  return { name, scope, variants: sortVariants(variants) };
}

/** The default variant first, then by locale: one order everywhere. */
export function sortVariants(variants: CannedAnswerVariant[]): CannedAnswerVariant[] {
  return [...variants].sort((a, b) =>
    a.isDefault !== b.isDefault ? (a.isDefault ? -1 : 1) : a.locale < b.locale ? -1 : a.locale > b.locale ? 1 : 0,
  );
}

const language = (tag: string) => tag.toLowerCase().split('-')[0];

/**
 * The variant for a reader of `locale`: the exact locale, then one of the same language, then the default.
 */
export function chooseVariant(answer: Pick<CannedAnswer, 'variants'>, locale: string): CannedAnswerVariant {
  const wanted = canonicalLocale(locale) ?? locale;
  return (
    answer.variants.find((v) => v.locale === wanted) ??
    answer.variants.find((v) => language(v.locale) === language(wanted)) ??
    answer.variants.find((v) => v.isDefault) ??
    answer.variants[0]!
  );
}

/** The audit record's fields: name, the team, the default language and each variant's text. */
export function auditedFieldsOf(answer: CannedAnswerRow): Record<string, string | number | null> {
  const fields: Record<string, string | number | null> = {
    name: answer.name,
    groupId: answer.scope.kind === 'team' ? answer.scope.groupId : null,
    defaultLocale: answer.variants.find((v) => v.isDefault)?.locale ?? null,
  };
  for (const v of answer.variants) fields[`text:${v.locale}`] = v.text;
  return fields;
}

/** A personal answer's texts are its owner's alone: its audit entries say a text changed without copying it. */
export function auditedChanges(changes: AuditChange[], scope: CannedAnswerScope): AuditChange[] {
  if (scope.kind === 'team') return changes;
  return changes.map((c) => (c.field.startsWith('text:') ? { field: c.field, withheld: 'secret' } : c));
}
