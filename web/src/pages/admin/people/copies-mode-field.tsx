import { useI18n } from '../../../i18n/i18n.tsx';
import { COPIES_MODES } from '../../../api/limits.ts';
import type { CopiesMode } from '../../../types.ts';

/** How a group's public messages reach the people its tickets copy: one mail with them in Cc, or one mail each. */
export function CopiesModeField({ value, onChange }: { value: CopiesMode; onChange(mode: CopiesMode): void }) {
  const { t } = useI18n();
  return (
    <fieldset className="fieldset">
      <legend>{t('groups.copiesMode')}</legend>
      {COPIES_MODES.map((mode) => (
        <label key={mode} className="check">
          <input
            type="radio"
            name="copies-mode"
            value={mode}
            checked={value === mode}
            onChange={() => onChange(mode)}
          />
          {t(`groups.copiesMode.${mode}`)}
        </label>
      ))}
      <p className="hint">{t('groups.copiesModeHint')}</p>
    </fieldset>
  );
}
