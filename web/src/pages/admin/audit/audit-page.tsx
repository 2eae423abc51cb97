import { ErrorNotice, Page, TableCard, When } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { AuditChanges, AuditWhat } from './audit-changes.tsx';
import { AuditFilterForm } from './audit-filters.tsx';
import { useAuditLog } from './use-audit-log.ts';

/** The audit log: who changed what, when and from where, newest first, with filters and "Load more". */
export function AdminAudit() {
  const { t } = useI18n();
  const log = useAuditLog();
  return (
    <Page title={t('audit.title')} subtitle={t('audit.subtitle')} wide>
      <AuditFilterForm key={JSON.stringify(log.filters)} filters={log.filters} onApply={log.apply} />
      <div className="toolbar">
        <button type="button" className="button" onClick={log.reload}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorNotice error={log.error} />
      <TableCard
        rows={log.items}
        loading={log.loading}
        empty={t('audit.empty')}
        caption={t('audit.title')}
        headers={[t('audit.when'), t('audit.who'), t('audit.where'), t('audit.what'), t('audit.changes')]}
        className="audit-table"
      >
        {(e) => (
          <tr key={e.id} data-testid="audit-row" data-action={e.action}>
            <td className="cell-muted">
              <When iso={e.at} />
            </td>
            <td>
              {e.actorId === null ? (
                t('audit.commandLine')
              ) : (
                <>
                  <span className="cell-strong">{e.actorName}</span>
                  <br />
                  <span className="cell-code cell-muted">{e.actorEmail}</span>
                </>
              )}
            </td>
            <td className="cell-code">{e.address === 'cli' ? t('audit.commandLine') : e.address}</td>
            <td>
              <AuditWhat entry={e} />
            </td>
            <td>
              <AuditChanges changes={e.changes} />
            </td>
          </tr>
        )}
      </TableCard>
      {log.hasMore ? (
        <div className="more">
          <button type="button" className="button" onClick={() => void log.more()}>
            {t('common.loadMore')}
          </button>
        </div>
      ) : null}
    </Page>
  );
}
