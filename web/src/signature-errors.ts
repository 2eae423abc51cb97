import type { Translate } from './i18n/i18n.tsx';
import { MAX_LENGTH } from './api/limits.ts';

/** The sentences of the signature error codes, filled in from the details (key, line, column, rule). */
export function signatureErrorText(t: Translate, code: string, d: Record<string, unknown>): string {
  const where = { line: Number(d.line ?? 0), column: Number(d.column ?? 0) };
  if (code === 'SIGNATURE_UNKNOWN_KEY')
    return t('error.signatureUnknownKey', { ...where, key: `\${${String(d.key ?? '')}}` });
  if (code === 'SIGNATURE_SYNTAX_ERROR') return t('error.signatureSyntax', where);
  if (d.rule === 'recursive') return t('error.signatureRecursive', { key: '${SIGNATURE}' });
  if (d.rule === 'renderedSize') return t('error.signatureTooLarge', { limit: Number(d.limit ?? 0) });
  return t('error.signatureTooLong', { max: MAX_LENGTH.signature });
}
