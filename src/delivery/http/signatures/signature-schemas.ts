import { Type } from 'typebox';
import { MAX_SIGNATURE_LENGTH } from '../../../domain/signatures/signature.ts';
import { Nullable, Shape } from '../schema-kit.ts';

/** A signature as given: text with template keys, or null (none). */
export const signatureBody = Type.Object(
  { signature: Nullable(Type.String({ maxLength: MAX_SIGNATURE_LENGTH })) },
  { additionalProperties: false },
);

export const signatureSchema = Shape({ signature: Nullable(Type.String()) });
