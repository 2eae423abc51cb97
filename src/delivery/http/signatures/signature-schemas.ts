import { Type } from 'typebox';
import { MAX_SIGNATURE_LENGTH } from '../../../domain/signatures/signature.ts';
import { List, Nullable, Shape } from '../schema-kit.ts';

/** A signature as given: text with template keys, or null (none). */
export const signatureBody = Type.Object(
  { signature: Nullable(Type.String({ maxLength: MAX_SIGNATURE_LENGTH })) },
  { additionalProperties: false },
);

export const signatureSchema = Shape({ signature: Nullable(Type.String()) });

/** One's signature with the key names it may use (`keys`) and those it may not (`signatureKeys`: itself). */
export const ownSignatureSchema = Shape({
  signature: Nullable(Type.String()),
  keys: List(Type.String()),
  signatureKeys: List(Type.String()),
});
