import { useState } from 'react';
import { get } from '../../../api.ts';
import { MessagingBanner, useMessagingStatus } from '../../../components/messaging-banner.tsx';
import { ErrorNotice, Page, SuccessNotice, TableCard } from '../../../components/ui.tsx';
import { useGroupList } from '../../../directory.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import type { EmailTemplate, Parameter } from '../../../types.ts';
import { optionName } from './option-name.ts';
import { ValueEditor } from './value-editor.tsx';

export function AdminParameters() {
  const { t } = useI18n();
  const parameters = useResource(() => get<{ items: Parameter[] }>('/admin/parameters'), []);
  const templates = useResource(() => get<{ items: EmailTemplate[] }>('/admin/email-templates'), []);
  const groups = useGroupList();
  const status = useMessagingStatus();
  const [editing, setEditing] = useState<number | null>(null);
  const [saved, setSaved] = useState<number | null>(null);

  const show = (p: Parameter) => {
    if (p.type === 'secret') return p.set ? t('parameters.secretSet') : t('parameters.notSet');
    if (p.value === null || p.value === '') return t('parameters.notSet');
    if (p.type === 'boolean') return p.value ? t('common.yes') : t('common.no');
    if (p.type === 'templateId') {
      const tpl = templates.data?.items.find((x) => x.id === p.value);
      if (!tpl) return `${p.value}`;
      return `${tpl.id} — ${tpl.name}${tpl.active ? '' : ` (${t('templates.inactive')})`}`;
    }
    if (p.type === 'groupId') {
      const group = groups.data?.find((g) => g.id === p.value);
      return group ? `${group.id} — ${group.name}` : `${p.value}`;
    }
    if (p.type === 'enum') return optionName(t, String(p.value), p.id);
    return String(p.value);
  };

  return (
    <Page title={t('parameters.title')} subtitle={t('parameters.subtitle')}>
      <MessagingBanner status={status.data} />
      <ErrorNotice error={parameters.error ?? templates.error} />
      {saved !== null ? <SuccessNotice>{t('parameters.saved', { id: saved })}</SuccessNotice> : null}
      <TableCard
        rows={parameters.data?.items}
        loading={parameters.loading}
        caption={t('parameters.title')}
        headers={[t('parameters.number'), t('parameters.description'), t('parameters.type'), t('parameters.value')]}
        actions
      >
        {(p) => (
          <tr key={p.id} id={`parameter-${p.id}`} className={p.id === 417 ? 'row-highlight' : undefined}>
            <td className="cell-number">{p.id}</td>
            <td>
              {p.description}
              {p.id === 417 ? (
                <p className="field-hint">
                  {t('parameters.417hint')} <Link to="/admin/templates">{t('nav.templates')}</Link>
                </p>
              ) : null}
            </td>
            <td className="cell-muted">{t(`parameters.typeName.${p.type}`)}</td>
            <td colSpan={editing === p.id ? 2 : 1}>
              {editing === p.id ? (
                <ValueEditor
                  parameter={p}
                  templates={templates.data?.items ?? []}
                  groups={groups.data ?? []}
                  onCancel={() => setEditing(null)}
                  onSaved={() => {
                    setEditing(null);
                    setSaved(p.id);
                    void parameters.reload();
                    void status.reload();
                  }}
                />
              ) : (
                <span className={p.set ? 'value' : 'value value-empty'}>{show(p)}</span>
              )}
            </td>
            {editing === p.id ? null : (
              <td className="cell-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-label={t('parameters.edit', { id: p.id })}
                  onClick={() => {
                    setSaved(null);
                    setEditing(p.id);
                  }}
                >
                  {t('common.edit')}
                </button>
              </td>
            )}
          </tr>
        )}
      </TableCard>
      <p className="field-hint page-footnote">
        {t('parameters.smtpHint')} <Link to="/admin/smtp">{t('nav.smtp')}</Link>
      </p>
    </Page>
  );
}
