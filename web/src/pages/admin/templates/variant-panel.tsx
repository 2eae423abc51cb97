import type { RefObject } from 'react';
import { MAX_LENGTH } from '../../../api/limits.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { Field, KeyProblem } from './scan-keys.ts';
import type { VariantDraft } from './variant-draft.ts';
import { VARIANT_PANEL_ID, variantTabId } from './variant-tabs.tsx';

/**
 * The selected language's subject and bodies (the tab panel), with the live key check of each field, the refused
 * save that named this language, and making it the default or removing it.
 */
export function VariantPanel(props: {
  variant: VariantDraft;
  isDefault: boolean;
  refs: {
    subject: RefObject<HTMLInputElement | null>;
    html: RefObject<HTMLTextAreaElement | null>;
    text: RefObject<HTMLTextAreaElement | null>;
  };
  problems: readonly KeyProblem[];
  error: unknown;
  onFocusField(field: Field): void;
  onChange(patch: Partial<Omit<VariantDraft, 'locale'>>): void;
  onMakeDefault(): void;
  onRemove(): void;
}) {
  const { t } = useI18n();
  const { variant, problems } = props;
  const fieldProblems = (f: Field) => problems.filter((p) => p.field === f);
  const problemText = (p: KeyProblem) =>
    p.key === null
      ? t('templates.unclosed', { line: p.line, column: p.column })
      : t('templates.unknownKeyLive', { key: `\${${p.key}}`, line: p.line, column: p.column });
  const problemList = (f: Field) =>
    fieldProblems(f).length > 0 ? (
      <ul className="field-error key-problems" id={`tpl-${f}-problems`} aria-live="polite">
        {fieldProblems(f).map((p, i) => (
          <li key={i}>{problemText(p)}</li>
        ))}
      </ul>
    ) : null;
  const described = (f: Field) => (fieldProblems(f).length > 0 ? `tpl-${f}-problems` : undefined);

  return (
    <div role="tabpanel" id={VARIANT_PANEL_ID} aria-labelledby={variantTabId(variant.locale)} className="variant-panel">
      <div className="variant-actions">
        {props.isDefault ? (
          <p className="field-hint">{t('templates.variantDefaultHint')}</p>
        ) : (
          <>
            <button type="button" className="button button-small" onClick={props.onMakeDefault}>
              {t('templates.makeDefault')}
            </button>
            <button type="button" className="button button-small button-danger" onClick={props.onRemove}>
              {t('templates.removeVariant')}
            </button>
          </>
        )}
      </div>
      <ErrorNotice error={props.error} title={t('templates.notSaved')} />
      <div className="field">
        <label htmlFor="tpl-subject">{t('templates.subject')}</label>
        <input
          id="tpl-subject"
          ref={props.refs.subject}
          className="code"
          value={variant.subject}
          maxLength={MAX_LENGTH.templateSubject}
          onFocus={() => props.onFocusField('subject')}
          onChange={(e) => props.onChange({ subject: e.target.value })}
          aria-invalid={fieldProblems('subject').length > 0}
          aria-describedby={described('subject')}
          spellCheck={false}
        />
        {problemList('subject')}
      </div>
      <div className="field">
        <label htmlFor="tpl-html">{t('templates.html')}</label>
        <textarea
          id="tpl-html"
          ref={props.refs.html}
          className="code"
          rows={14}
          value={variant.html}
          onFocus={() => props.onFocusField('html')}
          onChange={(e) => props.onChange({ html: e.target.value })}
          aria-invalid={fieldProblems('html').length > 0}
          aria-describedby={described('html')}
          spellCheck={false}
        />
        {problemList('html')}
      </div>
      <div className="field">
        <label htmlFor="tpl-text">{t('templates.text')}</label>
        <textarea
          id="tpl-text"
          ref={props.refs.text}
          className="code"
          rows={5}
          value={variant.text}
          onFocus={() => props.onFocusField('text')}
          onChange={(e) => props.onChange({ text: e.target.value })}
          aria-describedby={['tpl-text-hint', described('text')].filter(Boolean).join(' ')}
          spellCheck={false}
        />
        <p className="field-hint" id="tpl-text-hint">
          {t('templates.textHint')}
        </p>
        {problemList('text')}
      </div>
    </div>
  );
}
