import { del, get, post, put } from '../../api.ts';
import { useResource, type Resource } from '../../hooks.ts';
import type { CannedAnswer } from '../../types.ts';
import type { AnswerDraft } from './answer-draft.ts';

export type AnswerKind = 'personal' | 'team';

/** The answers one page manages: the person's own (`/me/canned-answers`) or every team's (`/admin/canned-answers`). */
export function useCannedAnswers(kind: AnswerKind): {
  answers: Resource<CannedAnswer[]>;
  save(id: number | null, draft: AnswerDraft): Promise<CannedAnswer>;
  remove(answer: CannedAnswer): Promise<void>;
} {
  const answers = useResource(
    () =>
      (kind === 'team'
        ? get<{ items: CannedAnswer[] }>('/admin/canned-answers')
        : get<{ items: CannedAnswer[] }>('/me/canned-answers')
      ).then((r) => r.items),
    [kind],
  );
  async function save(id: number | null, draft: AnswerDraft): Promise<CannedAnswer> {
    const body = { name: draft.name.trim(), variants: draft.variants };
    let saved: CannedAnswer;
    if (kind === 'team') {
      saved =
        id === null
          ? await post<CannedAnswer>('/admin/canned-answers', { ...body, groupId: draft.groupId ?? 0 })
          : await put<CannedAnswer>(`/admin/canned-answers/${id}`, body);
    } else {
      saved =
        id === null
          ? await post<CannedAnswer>('/me/canned-answers', body)
          : await put<CannedAnswer>(`/me/canned-answers/${id}`, body);
    }
    await answers.reload();
    return saved;
  }
  async function remove(answer: CannedAnswer): Promise<void> {
    if (kind === 'team') await del(`/admin/canned-answers/${answer.id}`);
    else await del(`/me/canned-answers/${answer.id}`);
    await answers.reload();
  }
  return { answers, save, remove };
}
