import { useId, useState } from 'react';
import { errorText } from '../errors.ts';
import { LANGUAGE_NAMES, useI18n } from '../i18n/i18n.tsx';
import { LOCALES, type Locale } from '../types.ts';

/** The language switch. Signed in, the choice is saved as the user's language (a failure is said next to it). */
export function LanguageSelect({ className }: { className?: string }) {
  const { t, locale, setLocale } = useI18n();
  const id = useId();
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function choose(l: Locale) {
    setError(null);
    setBusy(true);
    try {
      await setLocale(l);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <div className={className ?? 'language-select'} aria-busy={busy || undefined}>
      <label htmlFor={id}>{t('common.language')}</label>
      <select
        id={id}
        value={locale}
        onChange={(e) => void choose(e.target.value as Locale)}
        aria-describedby={error ? `${id}-err` : undefined}
      >
        {LOCALES.map((l) => (
          <option key={l} value={l} lang={l}>
            {LANGUAGE_NAMES[l]}
          </option>
        ))}
      </select>
      {error ? (
        <p className="language-error" id={`${id}-err`} role="alert">
          {t('language.notSaved', { reason: errorText(t, error) })}
        </p>
      ) : null}
    </div>
  );
}
