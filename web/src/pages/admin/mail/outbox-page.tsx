import { useEffect, useState } from 'react';
import { get, post, query } from '../../../api.ts';
import { ErrorNotice, OutboxBadge, Page, SuccessNotice, TableCard, When } from '../../../components/ui.tsx';
import { deliveryText } from '../../../delivery.ts';
import { useTicketEvents } from '../../../events.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link, useRouter } from '../../../router.tsx';
import { OUTBOX_STATUSES, type OutboxEntry, type OutboxStatus, type Page as ApiPage } from '../../../types.ts';

export const retryable = (s: OutboxStatus) => s === 'deferred' || s === 'failed';
export function AdminOutbox() {
  const { t } = useI18n();
  const { search, navigate } = useRouter();
  const status = (OUTBOX_STATUSES as readonly string[]).includes(search.get('status') ?? '')
    ? (search.get('status') as OutboxStatus)
    : '';
  const list = useResource(() => get<ApiPage<OutboxEntry>>(`/admin/outbox${query({ status })}`), [status]);
  const [extra, setExtra] = useState<{ items: OutboxEntry[]; cursor: string | null } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  const [retried, setRetried] = useState<number | null>(null);
  useEffect(() => setExtra(null), [status]);
  useTicketEvents(() => {
    setExtra(null);
    void list.reload();
  });
  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.cursor : list.data?.nextCursor;

  async function retry(entry: OutboxEntry) {
    setActionError(null);
    setRetried(null);
    try {
      await post(`/admin/outbox/${entry.id}/retry`);
      setRetried(entry.id);
      setExtra(null);
      await list.reload();
    } catch (e) {
      setActionError(e);
    }
  }

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<OutboxEntry>>(`/admin/outbox${query({ status, cursor: next })}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <Page title={t('outbox.title')} subtitle={t('outbox.subtitle')} wide>
      <div className="toolbar">
        <div className="field field-inline">
          <label htmlFor="outbox-status">{t('outbox.state')}</label>
          <select
            id="outbox-status"
            value={status}
            onChange={(e) => navigate(`/admin/outbox${query({ status: e.target.value })}`, { replace: true })}
          >
            <option value="">{t('outbox.anyState')}</option>
            {OUTBOX_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`outbox.${s}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button" onClick={() => void list.reload()}>
          {t('common.refresh')}
        </button>
      </div>
      <ErrorNotice error={list.error ?? actionError} />
      {retried !== null ? <SuccessNotice>{t('outbox.retried', { id: retried })}</SuccessNotice> : null}
      <TableCard
        rows={list.data ? items : undefined}
        loading={list.loading}
        empty={t('outbox.empty')}
        caption={t('outbox.title')}
        headers={[
          t('outbox.id'),
          t('outbox.ticket'),
          t('outbox.to'),
          t('outbox.subject'),
          t('outbox.state'),
          t('outbox.attempts'),
          t('outbox.nextOrSent'),
        ]}
        actions
      >
        {(e) => (
          <tr key={e.id}>
            <td className="cell-number">
              <Link to={`/admin/outbox/${e.id}`} aria-label={t('outbox.open', { id: e.id })}>
                {e.id}
              </Link>
            </td>
            <td>
              {e.ticketNumber !== null ? <Link to={`/desk/tickets/${e.ticketNumber}`}>#{e.ticketNumber}</Link> : '—'}
            </td>
            <td>
              <span className="cell-strong">{e.toName}</span>
              <br />
              <span className="cell-code cell-muted">{e.to}</span>
            </td>
            <td className="cell-subject">
              <Link to={`/admin/outbox/${e.id}`}>{e.subject}</Link>
              {e.lastReply && e.status !== 'sent' ? (
                <p className="cell-reply">{deliveryText(t, e.lastReplyCode, e.lastReplyParams, e.lastReply)}</p>
              ) : null}
            </td>
            <td>
              <OutboxBadge status={e.status} />
            </td>
            <td className="cell-number">{e.attemptCount}</td>
            <td className="cell-muted">
              {e.status === 'sent' ? <When iso={e.sentAt} /> : e.nextAttemptAt ? <When iso={e.nextAttemptAt} /> : '—'}
            </td>
            <td className="cell-actions">
              {retryable(e.status) ? (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void retry(e)}
                  aria-label={t('outbox.retryId', { id: e.id })}
                >
                  {t('outbox.retry')}
                </button>
              ) : null}
            </td>
          </tr>
        )}
      </TableCard>
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
