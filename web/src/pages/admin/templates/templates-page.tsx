import { get } from '../../../api.ts';
import { ErrorNotice, Page, TableCard, When } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import { type EmailTemplate, type Parameter } from '../../../types.ts';

export function AdminTemplates() {
  const { t } = useI18n();
  const templates = useResource(() => get<{ items: EmailTemplate[] }>('/admin/email-templates'), []);
  const p417 = useResource(() => get<Parameter>('/admin/parameters/417'), []);
  return (
    <Page
      title={t('templates.title')}
      subtitle={t('templates.subtitle')}
      actions={
        <Link to="/admin/templates/new" className="button button-primary">
          {t('templates.new')}
        </Link>
      }
    >
      <ErrorNotice error={templates.error} />
      <TableCard
        rows={templates.data?.items}
        loading={templates.loading}
        empty={t('templates.empty')}
        caption={t('templates.title')}
        headers={[
          t('templates.id'),
          t('templates.name'),
          t('templates.subject'),
          t('templates.state'),
          t('templates.updated'),
        ]}
      >
        {(tpl) => (
          <tr key={tpl.id}>
            <td className="cell-number">{tpl.id}</td>
            <td className="cell-title">
              <Link to={`/admin/templates/${tpl.id}`}>{tpl.name}</Link>
              {p417.data?.value === tpl.id ? <span className="badge badge-417">{t('templates.inUse')}</span> : null}
            </td>
            <td className="cell-code">{tpl.subject}</td>
            <td>
              {tpl.active ? (
                <span className="badge badge-ok">{t('templates.active')}</span>
              ) : (
                <span className="badge badge-muted">{t('templates.inactive')}</span>
              )}
            </td>
            <td className="cell-muted">
              <When iso={tpl.updatedAt} relative />
            </td>
          </tr>
        )}
      </TableCard>
    </Page>
  );
}
