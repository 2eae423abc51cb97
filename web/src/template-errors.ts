import type { Translate } from './i18n/i18n.tsx';

/** A template's field (subject, HTML body, text body) as its label names it. */
export function templateFieldName(t: Translate, field: unknown): string {
  if (field === 'subject') return t('templates.subject');
  if (field === 'html') return t('templates.html');
  if (field === 'text') return t('templates.text');
  return String(field ?? '');
}

/** The sentence of a refused template (TEMPLATE_INVALID), from its details; null when none fits. */
function invalidText(t: Translate, d: Record<string, unknown>): string | null {
  switch (d.field) {
    case 'name':
      return t('error.templateName');
    case 'subject':
      return t('error.templateSubject');
    case 'html':
      return t('error.templateHtml');
    case 'text':
      return t('error.templateText');
    case 'locale':
      return typeof d.variant === 'string' ? t('error.templateLocale', { locale: d.variant }) : null;
    case 'variants':
      return t('error.templateVariants', { limit: Number(d.limit ?? 20) });
    default:
      return null;
  }
}

/**
 * The sentences of a template's errors (a key, a syntax error, a field too large, an invalid field), filled in from
 * the details and said in the variant the server names (`details.variant`, when the template has several
 * languages): "In the es-ES variant: …". Null when none fits (the caller quotes the server's own words).
 */
export function templateErrorText(t: Translate, code: string, d: Record<string, unknown>): string | null {
  const where = { field: templateFieldName(t, d.field), line: Number(d.line ?? 0), column: Number(d.column ?? 0) };
  let sentence: string | null;
  if (code === 'TEMPLATE_UNKNOWN_KEY')
    sentence = t('error.templateUnknownKey', { ...where, key: `\${${String(d.key ?? '')}}` });
  else if (code === 'TEMPLATE_SYNTAX_ERROR') sentence = t('error.templateSyntax', where);
  else if (code === 'TEMPLATE_TOO_LARGE')
    sentence = t('error.templateTooLarge', { field: where.field, limit: Number(d.limit ?? 0) });
  else sentence = invalidText(t, d);
  // A locale error names its tag already.
  if (sentence === null || typeof d.variant !== 'string' || d.field === 'locale') return sentence;
  return t('error.templateInVariant', { variant: d.variant, sentence });
}
