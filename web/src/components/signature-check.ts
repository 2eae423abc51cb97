import type { Translate } from '../i18n/i18n.tsx';
import { scanKeys } from '../pages/admin/templates/scan-keys.ts';

/** The key names a signature may use, and those of the signature key itself (GET /me/signature). */
export interface SignatureKeys {
  keys: readonly string[];
  signatureKeys: readonly string[];
}

/**
 * The first problem the server would refuse a signature for, as a sentence (null when none): the same scan as the
 * template editor's, the signature key itself named apart.
 */
export function signatureProblem(t: Translate, text: string, names: SignatureKeys): string | null {
  const known = new Set(names.keys);
  const problem = scanKeys('text', text, known)[0];
  if (!problem) return null;
  const where = { line: problem.line, column: problem.column };
  if (problem.key === null) return t('error.signatureSyntax', where);
  if (names.signatureKeys.includes(problem.key)) return t('error.signatureRecursive', { key: `\${${problem.key}}` });
  return t('error.signatureUnknownKey', { ...where, key: `\${${problem.key}}` });
}
