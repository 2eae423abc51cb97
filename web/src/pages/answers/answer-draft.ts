import type { CannedAnswer } from '../../types.ts';

export interface VariantDraft {
  locale: string;
  text: string;
  isDefault: boolean;
}

/** An answer being written: its name, its team (team answers only) and its texts per language. */
export interface AnswerDraft {
  name: string;
  groupId: number | null;
  variants: VariantDraft[];
}

/** A new answer starts in the writer's language, which is its default. */
export function emptyDraft(locale: string, groupId: number | null): AnswerDraft {
  return { name: '', groupId, variants: [{ locale, text: '', isDefault: true }] };
}

export function draftOf(answer: CannedAnswer): AnswerDraft {
  return {
    name: answer.name,
    groupId: answer.groupId,
    variants: answer.variants.map((v) => ({ locale: v.locale, text: v.text, isDefault: v.isDefault })),
  };
}
