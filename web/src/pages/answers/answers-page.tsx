import { useState } from 'react';
import { ErrorNotice, Page, SuccessNotice } from '../../components/ui.tsx';
import { useGroupList } from '../../directory.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { CannedAnswer } from '../../types.ts';
import { AnswerDialog } from './answer-dialog.tsx';
import { AnswersTable } from './answers-table.tsx';
import { DeleteAnswerDialog } from './delete-answer-dialog.tsx';
import { useCannedAnswers, type AnswerKind } from './use-canned-answers.ts';

/** A technician's own answers ("My answers", account area) or the teams' answers (administration). */
export function AnswersPage({ kind }: { kind: AnswerKind }) {
  const { t } = useI18n();
  const { answers, save, remove } = useCannedAnswers(kind);
  const groups = useGroupList();
  const teams = kind === 'team' ? (groups.data ?? []) : undefined;
  const [editing, setEditing] = useState<CannedAnswer | 'new' | null>(null);
  const [deleting, setDeleting] = useState<CannedAnswer | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const title = kind === 'team' ? t('answers.teamTitle') : t('answers.myTitle');

  async function confirmDelete(answer: CannedAnswer) {
    setDeleting(null);
    setError(null);
    try {
      await remove(answer);
      setNotice(t('answers.deleted', { name: answer.name }));
    } catch (e) {
      setError(e);
    }
  }

  return (
    <Page
      title={title}
      subtitle={kind === 'team' ? t('answers.teamSubtitle') : t('answers.mySubtitle')}
      actions={
        <button
          type="button"
          className="button button-primary"
          disabled={kind === 'team' && !teams?.length}
          onClick={() => {
            setNotice(null);
            setEditing('new');
          }}
        >
          {t('answers.new')}
        </button>
      }
    >
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      <ErrorNotice error={error ?? answers.error} />
      <AnswersTable
        answers={answers.data}
        loading={answers.loading}
        teams={teams}
        caption={title}
        onEdit={(a) => {
          setNotice(null);
          setEditing(a);
        }}
        onDelete={setDeleting}
      />
      {editing ? (
        <AnswerDialog
          answer={editing === 'new' ? null : editing}
          teams={teams}
          save={save}
          onSaved={(a) => {
            setEditing(null);
            setNotice(t('answers.saved', { name: a.name }));
          }}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {deleting ? (
        <DeleteAnswerDialog
          answer={deleting}
          onConfirm={() => void confirmDelete(deleting)}
          onClose={() => setDeleting(null)}
        />
      ) : null}
    </Page>
  );
}
