import { useId } from 'react';
import { LANGUAGE_NAMES, useI18n } from '../i18n/i18n.tsx';
import { LOCALES, type Locale } from '../types.ts';

export function LanguageSelect({ className }: { className?: string }) {
  const { t, locale, setLocale } = useI18n();
  const id = useId();
  return (
    <div className={className ?? 'language-select'}>
      <label htmlFor={id}>{t('common.language')}</label>
      <select id={id} value={locale} onChange={(e) => setLocale(e.target.value as Locale)}>
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
    </div>
  );
}
