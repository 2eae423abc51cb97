import { useState, type FormEvent } from 'react';
import { Dialog, ErrorNotice } from '../../components/ui.tsx';
import { MAX_LENGTH } from '../../api/limits.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { CannedAnswer, Named } from '../../types.ts';
import { draftOf, emptyDraft, type AnswerDraft, type VariantDraft } from './answer-draft.ts';
import { VariantFields } from './variant-fields.tsx';

/** Writes a new answer or edits one: name, team (a team's answer, when new), and its texts per language. */
export function AnswerDialog(props: {
  answer: CannedAnswer | null;
  /** The teams to choose from (team answers); absent for personal answers. */
  teams?: Named[];
  save(id: number | null, draft: AnswerDraft): Promise<CannedAnswer>;
  onSaved(answer: CannedAnswer): void;
  onClose(): void;
}) {
  const { t, locale } = useI18n();
  const [draft, setDraft] = useState<AnswerDraft>(() =>
    props.answer ? draftOf(props.answer) : emptyDraft(locale, props.teams?.[0]?.id ?? null),
  );
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title = props.answer ? t('answers.editTitle', { name: props.answer.name }) : t('answers.new');

  const setVariant = (i: number, v: VariantDraft) =>
    setDraft((d) => ({ ...d, variants: d.variants.map((x, j) => (j === i ? v : x)) }));
  const makeDefault = (i: number) =>
    setDraft((d) => ({ ...d, variants: d.variants.map((x, j) => ({ ...x, isDefault: j === i })) }));
  const removeVariant = (i: number) =>
    setDraft((d) => {
      const variants = d.variants.filter((_, j) => j !== i);
      if (!variants.some((v) => v.isDefault)) variants[0] = { ...variants[0]!, isDefault: true };
      return { ...d, variants };
    });

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      props.onSaved(await props.save(props.answer?.id ?? null, draft));
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} onClose={props.onClose} wide>
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="answer-name">{t('answers.name')}</label>
            <input
              id="answer-name"
              value={draft.name}
              maxLength={MAX_LENGTH.answerName}
              onChange={(e) => setDraft({ ...draft, name: e.target.value })}
            />
          </div>
          {props.teams && !props.answer ? (
            <div className="field">
              <label htmlFor="answer-team">{t('answers.team')}</label>
              <select
                id="answer-team"
                value={draft.groupId ?? ''}
                onChange={(e) => setDraft({ ...draft, groupId: Number(e.target.value) })}
              >
                {props.teams.map((g) => (
                  <option key={g.id} value={g.id}>
                    {g.name}
                  </option>
                ))}
              </select>
            </div>
          ) : null}
        </div>
        <p className="field-hint">{t('answers.keysHint')}</p>
        {draft.variants.map((v, i) => (
          <VariantFields
            key={i}
            index={i}
            variant={v}
            removable={draft.variants.length > 1}
            onChange={(next) => setVariant(i, next)}
            onDefault={() => makeDefault(i)}
            onRemove={() => removeVariant(i)}
          />
        ))}
        <div>
          <button
            type="button"
            className="button button-small"
            onClick={() =>
              setDraft({ ...draft, variants: [...draft.variants, { locale: '', text: '', isDefault: false }] })
            }
          >
            {t('answers.addLanguage')}
          </button>
        </div>
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('common.save')}
          </button>
          <button type="button" className="button" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
