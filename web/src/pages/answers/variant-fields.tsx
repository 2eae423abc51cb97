import { MAX_LENGTH } from '../../api/limits.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import type { VariantDraft } from './answer-draft.ts';

/** One language of an answer: its tag, its text, whether it is the default, and a button to remove it. */
export function VariantFields(props: {
  index: number;
  variant: VariantDraft;
  removable: boolean;
  onChange(variant: VariantDraft): void;
  onDefault(): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const n = props.index + 1;
  const id = `answer-variant-${n}`;
  const { variant } = props;
  return (
    <fieldset className="fieldset">
      <legend>{t('answers.variant', { n })}</legend>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-locale`}>{t('answers.locale')}</label>
          <input
            id={`${id}-locale`}
            value={variant.locale}
            maxLength={MAX_LENGTH.answerLocale}
            aria-describedby={`${id}-locale-hint`}
            onChange={(e) => props.onChange({ ...variant, locale: e.target.value })}
          />
          <p className="field-hint" id={`${id}-locale-hint`}>
            {t('answers.localeHint')}
          </p>
        </div>
        <label className="check">
          <input type="radio" name="answer-default" checked={variant.isDefault} onChange={props.onDefault} />
          {t('answers.isDefault')}
        </label>
      </div>
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('answers.text')}</label>
        <textarea
          id={`${id}-text`}
          rows={5}
          value={variant.text}
          maxLength={MAX_LENGTH.answerText}
          onChange={(e) => props.onChange({ ...variant, text: e.target.value })}
        />
      </div>
      {props.removable ? (
        <button type="button" className="button button-small" onClick={props.onRemove}>
          {t('answers.removeLanguage', { n })}
        </button>
      ) : null}
    </fieldset>
  );
}
