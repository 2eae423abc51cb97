import { useState, type FormEvent } from 'react';
import { Dialog } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { localeLabel } from './locale-name.ts';
import { isLocaleTag, sameLocale, SUGGESTED_LOCALES } from './variant-draft.ts';

const OTHER = 'other';

/**
 * Adds a language to the template: one of the languages Parley speaks that it lacks, or any BCP 47 tag typed in;
 * a tag that is not one, or one the template has, is refused with a sentence.
 */
export function AddVariantDialog(props: { existing: readonly string[]; onAdd(tag: string): void; onClose(): void }) {
  const { t, locale: uiLocale } = useI18n();
  const has = (tag: string) => props.existing.some((e) => sameLocale(e, tag));
  const offered = SUGGESTED_LOCALES.filter((l) => !has(l));
  const [choice, setChoice] = useState(offered[0] ?? OTHER);
  const [typed, setTyped] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  function add(event: FormEvent) {
    event.preventDefault();
    const tag = choice === OTHER ? typed.trim() : choice;
    if (!isLocaleTag(tag)) return setProblem(t('templates.variantTagInvalid', { tag: tag.slice(0, 40) }));
    if (has(tag)) return setProblem(t('templates.variantTagTaken', { tag }));
    props.onAdd(tag);
  }

  return (
    <Dialog title={t('templates.addVariantTitle')} onClose={props.onClose}>
      <form className="form" onSubmit={add} noValidate>
        <div className="field">
          <label htmlFor="variant-choice">{t('templates.variantLanguage')}</label>
          <select
            id="variant-choice"
            value={choice}
            onChange={(e) => {
              setChoice(e.target.value);
              setProblem(null);
            }}
          >
            {offered.map((l) => (
              <option key={l} value={l}>
                {localeLabel(uiLocale, l)}
              </option>
            ))}
            <option value={OTHER}>{t('templates.variantOther')}</option>
          </select>
        </div>
        {choice === OTHER ? (
          <div className="field">
            <label htmlFor="variant-tag">{t('templates.variantTag')}</label>
            <input
              id="variant-tag"
              className="input-short"
              value={typed}
              maxLength={35}
              spellCheck={false}
              autoCapitalize="off"
              onChange={(e) => {
                setTyped(e.target.value);
                setProblem(null);
              }}
              aria-invalid={!!problem}
              aria-describedby={problem ? 'variant-tag-hint variant-problem' : 'variant-tag-hint'}
            />
            <p className="field-hint" id="variant-tag-hint">
              {t('templates.variantTagHint')}
            </p>
          </div>
        ) : null}
        {problem ? (
          <p className="field-error" id="variant-problem" role="alert">
            {problem}
          </p>
        ) : null}
        <p className="field-hint">{t('templates.variantCopyHint')}</p>
        <div className="form-actions">
          <button type="submit" className="button button-primary">
            {t('templates.addVariantConfirm')}
          </button>
          <button type="button" className="button" onClick={props.onClose}>
            {t('common.cancel')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
