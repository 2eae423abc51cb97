import { DomainError } from '../errors.ts';
import { compileField, type CompiledField } from './compile-template.ts';
import { htmlToText } from './html-to-text.ts';
import type { RenderContext } from './key-registry.ts';
import { MAX_SUBJECT_LENGTH, renderField } from './render-template.ts';

export interface EmailTemplate {
  id: number;
  name: string;
  subject: string;
  html: string;
  /** Optional; derived from the HTML body when absent. */
  text: string | null;
  active: boolean;
  createdAt: string;
  updatedAt: string;
}

export interface EmailTemplateInput {
  name: string;
  subject: string;
  html: string;
  text?: string | null;
  active?: boolean;
}

export interface CompiledTemplate {
  subject: CompiledField;
  html: CompiledField;
  text: CompiledField;
}

export const MAX_TEMPLATE_BODY = 200_000;

/** Checks everything a template must be before it is stored; returns the clean input. */
export function validateTemplate(input: EmailTemplateInput): Required<EmailTemplateInput> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 120 || /[\r\n]/.test(name)) {
    throw new DomainError('TEMPLATE_INVALID', 'A template name must be 1 to 120 characters on one line.', {
      details: { field: 'name' },
    });
  }
  if (input.subject.trim().length === 0 || input.subject.length > MAX_SUBJECT_LENGTH) {
    throw new DomainError('TEMPLATE_INVALID', `The subject must be 1 to ${MAX_SUBJECT_LENGTH} characters.`, {
      details: { field: 'subject' },
    });
  }
  if (/[\r\n]/.test(input.subject)) {
    throw new DomainError('TEMPLATE_INVALID', 'The subject must be one line: it cannot contain line breaks.', {
      details: { field: 'subject' },
    });
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
  const clean = { name, subject: input.subject, html: input.html, text, active: input.active ?? true };
  compileTemplate(clean);
  return clean;
}

export function compileTemplate(t: Pick<EmailTemplate, 'subject' | 'html' | 'text'>): CompiledTemplate {
  return {
    subject: compileField('subject', t.subject),
    html: compileField('html', t.html),
    text: compileField('text', t.text ?? htmlToText(t.html)),
  };
}

const cache = new Map<string, CompiledTemplate>();

/** Compiled templates are memoised by content; a saved template was already checked. */
export function compiledFor(t: Pick<EmailTemplate, 'subject' | 'html' | 'text'>): CompiledTemplate {
  const key = `${t.subject}\u0000${t.html}\u0000${t.text ?? ''}`;
  let compiled = cache.get(key);
  if (!compiled) {
    compiled = compileTemplate(t);
    if (cache.size >= 64) cache.delete(cache.keys().next().value!);
    cache.set(key, compiled);
  }
  return compiled;
}

export interface RenderedMail {
  subject: string;
  html: string;
  text: string;
}

export function renderTemplate(compiled: CompiledTemplate, ctx: RenderContext): RenderedMail {
  return {
    subject: renderField(compiled.subject, ctx, 'subject'),
    html: renderField(compiled.html, ctx, 'html'),
    text: renderField(compiled.text, ctx, 'text'),
  };
}
