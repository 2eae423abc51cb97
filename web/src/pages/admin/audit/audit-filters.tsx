import { useState, type FormEvent } from 'react';
import { useI18n } from '../../../i18n/i18n.tsx';
import { AUDIT_ACTIONS, AUDIT_TARGETS } from '../../../types.ts';
import type { AuditFilters } from './use-audit-log.ts';

const NONE: AuditFilters = { action: '', targetType: '', targetId: '', actorEmail: '', from: '', to: '' };

/** The filters of the audit log: action, what was changed (and its number), who, and the days. */
export function AuditFilterForm(props: { filters: AuditFilters; onApply(filters: AuditFilters): void }) {
  const { t } = useI18n();
  const [f, setF] = useState(props.filters);
  const set = (name: keyof AuditFilters, value: string) => setF((old) => ({ ...old, [name]: value }));
  function submit(event: FormEvent) {
    event.preventDefault();
    props.onApply(f);
  }
  const text = (name: 'targetId' | 'actorEmail' | 'from' | 'to', label: string, type: string) => (
    <div className="field">
      <label htmlFor={`audit-${name}`}>{label}</label>
      <input id={`audit-${name}`} type={type} value={f[name]} onChange={(e) => set(name, e.target.value)} />
    </div>
  );
  return (
    <form className="card audit-filters" onSubmit={submit} aria-label={t('audit.filters')}>
      <div className="field">
        <label htmlFor="audit-action">{t('audit.filterAction')}</label>
        <select id="audit-action" value={f.action} onChange={(e) => set('action', e.target.value)}>
          <option value="">{t('audit.anyAction')}</option>
          {AUDIT_ACTIONS.map((a) => (
            <option key={a} value={a}>
              {t(`audit.action.${a}`)}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="audit-targetType">{t('audit.filterTarget')}</label>
        <select id="audit-targetType" value={f.targetType} onChange={(e) => set('targetType', e.target.value)}>
          <option value="">{t('audit.anyTarget')}</option>
          {AUDIT_TARGETS.map((a) => (
            <option key={a} value={a}>
              {t(`audit.target.${a}`)}
            </option>
          ))}
        </select>
      </div>
      {text('targetId', t('audit.targetId'), 'text')}
      {text('actorEmail', t('audit.actorEmail'), 'email')}
      {text('from', t('audit.fromDay'), 'date')}
      {text('to', t('audit.toDay'), 'date')}
      <div className="audit-filter-actions">
        <button type="submit" className="button button-primary">
          {t('audit.apply')}
        </button>
        <button
          type="button"
          className="button"
          onClick={() => {
            setF(NONE);
            props.onApply(NONE);
          }}
        >
          {t('audit.clear')}
        </button>
      </div>
    </form>
  );
}
