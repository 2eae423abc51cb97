import { ApiError, get } from '../../../api.ts';
import { ErrorNotice, Page, TableCard, When } from '../../../components/ui.tsx';
import { useTicketEvents } from '../../../events.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import { type CapturedSummary } from '../../../types.ts';

function formatSize(bytes: number, number: (n: number) => string): string {
  return bytes < 1024 ? `${number(bytes)} B` : `${number(Math.round(bytes / 102.4) / 10)} KB`;
}
export function AdminMailCatcher() {
  const { t, number } = useI18n();
  const list = useResource(() => get<{ items: CapturedSummary[] }>('/admin/mail-catcher'), []);
  useTicketEvents(() => void list.reload());
  const off = list.error instanceof ApiError && list.error.code === 'MAIL_CATCHER_OFF';
  return (
    <Page
      title={t('catcher.title')}
      subtitle={t('catcher.subtitle')}
      wide
      actions={
        <button type="button" className="button" onClick={() => void list.reload()}>
          {t('common.refresh')}
        </button>
      }
    >
      {off ? <p className="notice notice-info">{t('catcher.off')}</p> : <ErrorNotice error={list.error} />}
      <TableCard
        rows={list.data?.items}
        loading={list.loading}
        empty={t('catcher.empty')}
        caption={t('catcher.title')}
        headers={[t('catcher.received'), t('catcher.from'), t('catcher.to'), t('outbox.subject'), t('catcher.size')]}
      >
        {(m) => (
          <tr key={m.id}>
            <td className="cell-muted">
              <When iso={m.receivedAt} />
            </td>
            <td className="cell-code">{m.from ?? m.envelope.from ?? '—'}</td>
            <td className="cell-code">{m.to ?? m.envelope.to.join(', ')}</td>
            <td className="cell-subject">
              <Link to={`/admin/mail-catcher/${m.id}`}>{m.subject || t('catcher.noSubject')}</Link>
            </td>
            <td className="cell-muted">{formatSize(m.size, number)}</td>
          </tr>
        )}
      </TableCard>
    </Page>
  );
}
