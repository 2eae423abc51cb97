import { useState } from 'react';
import { get, query } from '../../api.ts';
import { MailTroubleBanner } from '../../components/mail-trouble-banner.tsx';
import { Empty, ErrorNotice, Page, StatusBadge, TableCard, When } from '../../components/ui.tsx';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import type { ListedTicket, Page as ApiPage, Ticket } from '../../types.ts';

/** Smart Portal: the requester's own tickets, newest activity first as the API gives them. */
export function PortalList() {
  const { t } = useI18n();
  const [pages, setPages] = useState<Ticket[][]>([]);
  const first = useResource(() => get<ApiPage<ListedTicket>>('/tickets'), []);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(null);
  useTicketEvents(() => {
    setPages([]);
    setCursor(undefined);
    void first.reload();
  });
  const items = [...(first.data?.items ?? []), ...pages.flat()];
  const next = cursor === undefined ? first.data?.nextCursor : cursor;

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<ListedTicket>>(`/tickets${query({ cursor: next })}`);
      setPages((p) => [...p, page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(e);
    }
  }

  return (
    <Page
      title={t('portal.title')}
      subtitle={t('portal.subtitle')}
      actions={
        <Link to="/portal/new" className="button button-primary">
          {t('portal.newRequest')}
        </Link>
      }
    >
      <MailTroubleBanner />
      <ErrorNotice error={first.error} />
      <TableCard
        rows={first.data ? items : undefined}
        loading={first.loading}
        empty={
          <>
            <Empty>{t('portal.empty')}</Empty>
            <Link to="/portal/new" className="button button-primary">
              {t('portal.newRequest')}
            </Link>
          </>
        }
        emptyClassName="card empty-card"
        caption={t('portal.title')}
        headers={[t('ticket.number'), t('ticket.title'), t('ticket.status'), t('ticket.lastActivity')]}
      >
        {(ticket) => (
          <tr key={ticket.number}>
            <td className="cell-number">#{ticket.number}</td>
            <td className="cell-title">
              <Link to={`/portal/tickets/${ticket.number}`}>{ticket.title}</Link>
            </td>
            <td>
              <StatusBadge status={ticket.status} />
            </td>
            <td className="cell-muted">
              <When iso={ticket.lastActivityAt} relative />
            </td>
          </tr>
        )}
      </TableCard>
      <ErrorNotice error={moreError} />
      {next ? (
        <div className="more">
          <button type="button" className="button" onClick={() => void more()}>
            {t('common.loadMore')}
          </button>
        </div>
      ) : null}
    </Page>
  );
}
