import { useEffect, useId, useRef } from 'react';
import { LANGUAGE_NAMES, useI18n } from '../i18n/i18n.tsx';
import type { CannedAnswerPickerState } from './use-canned-answer-picker.ts';
import { ErrorNotice } from './ui.tsx';

/**
 * The "Canned answers" button and its list (a listbox): searched by name in its own box when opened by the button,
 * or by what follows the `/` typed in the message (the message box then drives it: `listId`, `optionId`).
 */
export function CannedAnswerPicker({ picker, listId }: { picker: CannedAnswerPickerState; listId: string }) {
  const { t } = useI18n();
  const id = useId();
  const search = useRef<HTMLInputElement>(null);
  const button = useRef<HTMLButtonElement>(null);
  const open = picker.opened !== null;
  const activeId = picker.matches[picker.active] ? optionId(listId, picker.matches[picker.active]!.id) : undefined;

  useEffect(() => {
    if (picker.opened?.mode === 'button') search.current?.focus();
  }, [picker.opened?.mode]);

  return (
    <div className="picker">
      <button
        ref={button}
        type="button"
        className="button button-small"
        aria-expanded={open}
        aria-controls={open ? listId : undefined}
        onClick={() => (open ? picker.close(false) : picker.openFromButton())}
      >
        {t('picker.open')}
      </button>
      {open ? (
        <div className="picker-panel">
          <div className="field-row">
            {picker.opened?.mode === 'button' ? (
              <div className="field">
                <label htmlFor={`${id}-search`}>{t('picker.search')}</label>
                <input
                  ref={search}
                  id={`${id}-search`}
                  type="search"
                  role="combobox"
                  aria-expanded
                  aria-controls={listId}
                  aria-activedescendant={activeId}
                  autoComplete="off"
                  value={picker.query}
                  onChange={(e) => picker.setQuery(e.target.value)}
                  onKeyDown={(e) => {
                    if (picker.onListKey(e) && e.key === 'Escape') button.current?.focus();
                  }}
                />
              </div>
            ) : null}
            <div className="field">
              <label htmlFor={`${id}-locale`}>{t('picker.language')}</label>
              <select id={`${id}-locale`} value={picker.locale} onChange={(e) => picker.setLocale(e.target.value)}>
                <option value="">{t('picker.requesterLanguage')}</option>
                {picker.locales.map((l) => (
                  <option key={l} value={l}>
                    {(LANGUAGE_NAMES as Record<string, string>)[l] ?? l}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <ul id={listId} role="listbox" aria-label={t('picker.open')} className="picker-list">
            {picker.matches.map((answer, i) => (
              <li
                key={answer.id}
                id={optionId(listId, answer.id)}
                role="option"
                aria-selected={i === picker.active}
                className={i === picker.active ? 'picker-option picker-option-on' : 'picker-option'}
                onMouseDown={(e) => e.preventDefault()}
                onMouseEnter={() => picker.setActive(i)}
                onClick={() => void picker.insert(answer)}
              >
                {answer.name}
                <span className="cell-muted"> · {answer.variants.map((v) => v.locale).join(', ')}</span>
              </li>
            ))}
          </ul>
          {picker.loaded && picker.matches.length === 0 ? <p className="field-hint">{t('picker.none')}</p> : null}
          <ErrorNotice error={picker.error} />
        </div>
      ) : null}
      <p className="sr-only" role="status">
        {picker.inserted ? t('picker.inserted', { name: picker.inserted.name, locale: picker.inserted.locale }) : ''}
      </p>
    </div>
  );
}

export function optionId(listId: string, answerId: number): string {
  return `${listId}-${answerId}`;
}
