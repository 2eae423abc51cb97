import { DomainError } from '../errors.ts';
import { findTemplateKey, allKeyNames, type TemplateKey } from './key-registry.ts';

export type TemplateField = 'subject' | 'html' | 'text';
export type TemplatePart = string | TemplateKey;
/** A template field parsed once: literal text and registry keys, in order. Rendering is one pass over it. */
export type CompiledField = readonly TemplatePart[];

const MAX_KEY_LENGTH = 64;

function position(source: string, offset: number) {
  let line = 1;
  let column = 1;
  for (let i = 0; i < offset; i++) {
    if (source.charCodeAt(i) === 10) {
      line++;
      column = 1;
    } else column++;
  }
  return { line, column, offset };
}

const FIELD_NAMES: Record<TemplateField, string> = { subject: 'subject', html: 'HTML body', text: 'text body' };

/**
 * Parses `${KEY}` references. Any key outside the registry is refused here, at save time, with the key and its
 * position, so it can never reach a render.
 */
export function compileField(field: TemplateField, source: string): CompiledField {
  const parts: TemplatePart[] = [];
  let literalStart = 0;
  let i = source.indexOf('${');
  while (i !== -1) {
    const close = source.indexOf('}', i + 2);
    if (close === -1 || close - i - 2 > MAX_KEY_LENGTH) {
      const where = position(source, i);
      throw new DomainError(
        'TEMPLATE_SYNTAX_ERROR',
        `The ${FIELD_NAMES[field]} has "\${" without a closing "}" at line ${where.line}, column ${where.column}.`,
        { details: { field, ...where } },
      );
    }
    const name = source.slice(i + 2, close);
    const key = findTemplateKey(name);
    if (!key) {
      const where = position(source, i); // only on the way out: a long template with many keys stays linear
      const hint = findTemplateKey(name.trim().toUpperCase());
      throw new DomainError(
        'TEMPLATE_UNKNOWN_KEY',
        `Unknown key \${${name}} in the ${FIELD_NAMES[field]} at line ${where.line}, column ${where.column}.` +
          (hint ? ` Keys are written in upper case: \${${name.trim().toUpperCase()}}.` : ''),
        { details: { field, key: name, ...where, knownKeys: allKeyNames() } },
      );
    }
    if (i > literalStart) parts.push(source.slice(literalStart, i));
    parts.push(key);
    literalStart = close + 1;
    i = source.indexOf('${', literalStart);
  }
  if (literalStart < source.length) parts.push(source.slice(literalStart));
  return parts;
}

/** The keys a compiled field uses, by the name it was written with. */
export function usedKeys(field: CompiledField): string[] {
  return [...new Set(field.filter((p): p is TemplateKey => typeof p !== 'string').map((k) => k.name))];
}
