import { useState } from 'react';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { TemplateKey } from '../../../types.ts';

/** The keys a template may use, searchable; a click inserts one where the cursor was in the editor. */
export function KeyPalette({
  keys,
  error,
  onInsert,
}: {
  keys: readonly TemplateKey[];
  error: unknown;
  onInsert(name: string): void;
}) {
  const { t } = useI18n();
  const [filter, setFilter] = useState('');
  const visibleKeys = keys.filter((k) => {
    const q = filter.trim().toUpperCase();
    return !q || k.name.includes(q) || k.aliases.some((a) => a.includes(q)) || k.description.toUpperCase().includes(q);
  });

  return (
    <section className="card palette" aria-labelledby="palette-h">
      <h2 id="palette-h" className="card-title">
        {t('templates.keys')}
      </h2>
      <p className="field-hint">{t('templates.keysHint')}</p>
      <div className="field">
        <label htmlFor="palette-filter" className="sr-only">
          {t('templates.searchKeys')}
        </label>
        <input
          id="palette-filter"
          type="search"
          placeholder={t('templates.searchKeys')}
          value={filter}
          onChange={(e) => setFilter(e.target.value)}
        />
      </div>
      <ErrorNotice error={error} />
      <ul className="key-list">
        {visibleKeys.map((k) => (
          <li key={k.name}>
            <button
              type="button"
              className="key-button"
              onClick={() => onInsert(k.name)}
              aria-label={t('templates.insertKey', { key: k.name })}
            >
              <code>{`\${${k.name}}`}</code>
            </button>
            <span className="key-description">{k.description}</span>
            {k.aliases.length > 0 ? (
              <span className="key-aliases">{t('templates.aliases', { list: k.aliases.join(', ') })}</span>
            ) : null}
          </li>
        ))}
      </ul>
    </section>
  );
}
