import type { CompiledField, TemplatePart } from './compile-template.ts';
import type { RenderContext } from './key-registry.ts';

export const MAX_SUBJECT_LENGTH = 255;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function one(part: TemplatePart, ctx: RenderContext, mode: 'html' | 'text' | 'subject'): string {
  if (typeof part === 'string') return part;
  const value = part.value(ctx);
  if (mode === 'text') return value;
  if (mode === 'subject') return value.replace(/[\r\n]+/g, ' ');
  const escaped = escapeHtml(value);
  return part.multiline ? escaped.replace(/\r\n|\r|\n/g, '<br>\n') : escaped;
}

/**
 * One pass over a compiled field: a value that itself contains `${...}` is inserted as it is and never
 * looked at again. HTML values are escaped; the subject loses CR/LF and is bounded.
 */
export function renderField(field: CompiledField, ctx: RenderContext, mode: 'html' | 'text' | 'subject'): string {
  let out = '';
  for (const part of field) out += one(part, ctx, mode);
  if (mode === 'subject') {
    out = out.replace(/[\r\n]+/g, ' ').trim();
    if (out.length > MAX_SUBJECT_LENGTH) {
      let cut = MAX_SUBJECT_LENGTH - 1;
      const last = out.charCodeAt(cut - 1);
      if (last >= 0xd800 && last <= 0xdbff) cut--; // never leave half of a surrogate pair
      out = `${out.slice(0, cut)}…`;
    }
  }
  return out;
}
