import type { Translate } from './i18n/i18n.tsx';

/** The sentences of the canned answers' error codes, filled in from the details (key, language, line, column). */
export function cannedAnswerErrorText(t: Translate, code: string, d: Record<string, unknown>): string {
  const locale = String(d.locale ?? '');
  const where = { locale, line: Number(d.line ?? 0), column: Number(d.column ?? 0) };
  if (code === 'CANNED_ANSWER_UNKNOWN_KEY')
    return t('error.answerUnknownKey', { ...where, key: `\${${String(d.key ?? '')}}` });
  if (code === 'CANNED_ANSWER_SYNTAX_ERROR') return t('error.answerSyntax', where);
  if (code === 'CANNED_ANSWER_INVALID') {
    if (d.field === 'name') return t('error.answerName');
    if (d.field === 'locale') return t('error.answerLocale', { locale });
    if (d.field === 'text') return t('error.answerText', { locale });
    if (d.field === 'isDefault') return t('error.answerDefault');
    if (d.field === 'size') return t('error.answerTooLarge', { locale });
    return t('error.answerVariants');
  }
  return t('error.answerNotFound');
}
