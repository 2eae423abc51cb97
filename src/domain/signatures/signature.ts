import { DomainError } from '../errors.ts';
import { compileField, type CompiledField } from '../templates/compile-template.ts';
import {
  allKeyNames,
  findTemplateKey,
  MAX_RENDERED_SIGNATURE,
  type SignatureRenderer,
} from '../templates/key-registry.ts';
import { renderField, worstCaseLength } from '../templates/render-template.ts';

export { MAX_RENDERED_SIGNATURE };

/** The longest signature a person or a group may keep, in characters. */
export const MAX_SIGNATURE_LENGTH = 2_000;

/** The names `${SIGNATURE}` is written with: a signature may not use its own key. */
const SELF = 'SIGNATURE';

/** The key names a signature may use, and those of the signature key itself (which it may not), for live checks. */
export function signatureKeyNames(): { keys: string[]; signatureKeys: string[] } {
  const self = findTemplateKey(SELF)!;
  const signatureKeys = [self.name, ...self.aliases];
  return { keys: allKeyNames().filter((name) => !signatureKeys.includes(name)), signatureKeys };
}

/**
 * Parses a signature as a template's text body is parsed: an unknown key, or "${" left open, is refused with the
 * key and its position, so a stored signature always renders.
 */
export function compileSignature(text: string): CompiledField {
  try {
    return compileField('text', text);
  } catch (error) {
    if (!(error instanceof DomainError)) throw error;
    const { line, column, key } = (error.details ?? {}) as { line?: number; column?: number; key?: string };
    if (error.code === 'TEMPLATE_UNKNOWN_KEY') {
      throw new DomainError(
        'SIGNATURE_UNKNOWN_KEY',
        `Unknown key \${${key}} in the signature at line ${line}, column ${column}.`,
        { details: { field: 'signature', key, line, column } },
      );
    }
    throw new DomainError(
      'SIGNATURE_SYNTAX_ERROR',
      `The signature has "\${" without a closing "}" at line ${line}, column ${column}.`,
      { details: { field: 'signature', line, column } },
    );
  }
}

/**
 * Checks a signature before it is stored and returns what to store: line breaks made `\n`, trailing blanks
 * removed, an empty one null (no signature). At most `MAX_SIGNATURE_LENGTH` characters; its keys known, the
 * signature key itself excepted (a signature inside a signature); its rendered size bounded.
 */
export function validateSignature(input: string | null): string | null {
  if (input === null) return null;
  const text = input.replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  if (text.trim().length === 0) return null;
  if (text.length > MAX_SIGNATURE_LENGTH) {
    throw new DomainError(
      'SIGNATURE_INVALID',
      `A signature can be at most ${MAX_SIGNATURE_LENGTH.toLocaleString('en-US')} characters.`,
      { details: { field: 'signature', rule: 'maxLength', limit: MAX_SIGNATURE_LENGTH } },
    );
  }
  const compiled = compileSignature(text);
  if (compiled.some((part) => typeof part !== 'string' && part.name === SELF)) {
    throw new DomainError('SIGNATURE_INVALID', 'A signature cannot contain the signature key ${SIGNATURE} itself.', {
      details: { field: 'signature', rule: 'recursive' },
    });
  }
  const worst = worstCaseLength(compiled, 'text');
  if (worst > MAX_RENDERED_SIGNATURE) {
    const n = (x: number) => x.toLocaleString('en-US');
    throw new DomainError(
      'SIGNATURE_INVALID',
      `This signature could be up to ${n(worst)} characters long once its keys are filled in; the limit is ${n(MAX_RENDERED_SIGNATURE)}: use long keys such as \${COMMENTTEXT} fewer times.`,
      { details: { field: 'signature', rule: 'renderedSize', limit: MAX_RENDERED_SIGNATURE, worstCase: worst } },
    );
  }
  return text;
}

/** What a requester is told: signatures are for staff. */
export function staffOnly(): DomainError {
  return new DomainError('FORBIDDEN', 'Signatures are for technicians and administrators; requesters have none.');
}

/** What `${SIGNATURE}` renders for a parsed signature: its keys filled in for the context's recipient, as text. */
export function signatureRenderer(compiled: CompiledField): SignatureRenderer {
  return (ctx) => renderField(compiled, { ...ctx, signature: null }, 'text');
}
