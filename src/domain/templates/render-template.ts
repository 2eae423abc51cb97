import { DomainError } from '../errors.ts';
import type { CompiledField, TemplatePart } from './compile-template.ts';
import type { RenderContext } from './key-registry.ts';

export const MAX_SUBJECT_LENGTH = 255;
/**
 * The most characters a rendered mail body (the HTML part, the text part) may have. A template that could exceed it
 * is refused at save (`worstCaseLength`); rendering stops as soon as a body passes it (a template stored before).
 */
export const MAX_RENDERED_BODY = 1_000_000;
/** What one character of a value can become in HTML: `"` is `&quot;`; a line break is `<br>` and the break. */
export const HTML_EXPANSION = 6;

const HTML_ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };

export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);
}

function one(part: TemplatePart, ctx: RenderContext, mode: 'html' | 'text' | 'subject'): string {
  if (typeof part === 'string') return part;
  const value = part.value(ctx);
  if (mode === 'text') return value;
  if (mode === 'subject') return value.replace(/[\r\n]+/g, ' ');
  const ready = part.html?.(ctx) ?? null;
  if (ready !== null) return ready;
  const escaped = escapeHtml(value);
  return part.multiline ? escaped.replace(/\r\n|\r|\n/g, '<br>\n') : escaped;
}

/** The longest a field can render to: its literal text plus each key's longest value, escaped for HTML if need be. */
export function worstCaseLength(field: CompiledField, mode: 'html' | 'text'): number {
  let length = 0;
  for (const part of field)
    length += typeof part === 'string' ? part.length : part.maxLength * (mode === 'html' ? HTML_EXPANSION : 1);
  return length;
}

/**
 * One pass over a compiled field: a value that itself contains `${...}` is inserted as it is and never
 * looked at again. HTML values are escaped; the subject loses CR/LF and is bounded.
 */
export function renderField(field: CompiledField, ctx: RenderContext, mode: 'html' | 'text' | 'subject'): string {
  let out = '';
  for (const part of field) {
    out += one(part, ctx, mode);
    if (mode !== 'subject' && out.length > MAX_RENDERED_BODY) {
      const what = mode === 'html' ? 'HTML body' : 'text body';
      throw new DomainError(
        'TEMPLATE_TOO_LARGE',
        `The email template makes a mail whose ${what} is longer than ${MAX_RENDERED_BODY.toLocaleString('en-US')} characters, so no mail was made: ` +
          'an administrator has to edit the template and use long keys such as ${COMMENTTEXT} fewer times.',
        { details: { field: mode, limit: MAX_RENDERED_BODY } },
      );
    }
  }
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
