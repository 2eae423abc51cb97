import { Type } from 'typebox';
import { MAX_ANSWER_TEXT, MAX_VARIANTS, type CannedAnswer } from '../../../domain/canned-answers/canned-answer.ts';
import { Id, List, Nullable, Shape } from '../schema-kit.ts';

const variantSchema = Shape({ locale: Type.String(), text: Type.String(), isDefault: Type.Boolean() });

/** An answer as the API shows it: its team (null: personal), its variants, the default first. */
export const cannedAnswerSchema = Shape({
  id: Type.Integer(),
  name: Type.String(),
  groupId: Nullable(Type.Integer()),
  personal: Type.Boolean(),
  variants: List(variantSchema),
  createdAt: Type.String(),
  updatedAt: Type.String(),
});

const answerFields = {
  name: Type.String({ maxLength: 120 }),
  variants: Type.Array(
    Type.Object(
      {
        locale: Type.String({ maxLength: 35, description: 'A BCP 47 language tag: en-US, pt-BR, es-ES, fr ...' }),
        text: Type.String({ maxLength: MAX_ANSWER_TEXT, description: 'Plain text; ${KEY}s as in email templates' }),
        isDefault: Type.Optional(Type.Boolean()),
      },
      { additionalProperties: false },
    ),
    { maxItems: MAX_VARIANTS },
  ),
};

export const answerBody = Type.Object(answerFields, { additionalProperties: false });
export const teamAnswerBody = Type.Object({ ...answerFields, groupId: Id() }, { additionalProperties: false });

export const renderedAnswerSchema = Shape({
  answerId: Type.Integer(),
  name: Type.String(),
  locale: Type.String(),
  locales: List(Type.String()),
  text: Type.String(),
});

export function presentAnswer(answer: CannedAnswer) {
  return {
    id: answer.id,
    name: answer.name,
    groupId: answer.scope.kind === 'team' ? answer.scope.groupId : null,
    personal: answer.scope.kind === 'personal',
    variants: answer.variants,
    createdAt: answer.createdAt,
    updatedAt: answer.updatedAt,
  };
}
