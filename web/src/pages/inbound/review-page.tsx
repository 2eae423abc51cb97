import { useEffect, useState } from 'react';
import { get, query } from '../../api.ts';
import { ErrorNotice, Page, TableCard, When } from '../../components/ui.tsx';
import { useInboundEvents, useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, useRouter } from '../../router.tsx';
import { type InboundSummary, type Page as ApiPage } from '../../types.ts';
import {
  FILTERS,
  type Filter,
  type InboundArea,
  InboundBadge,
  Sender,
  TicketHint,
  base,
  inboundReasonText,
} from './inbound-parts.tsx';

export function InboundReview({ area }: { area: InboundArea }) {
  const { t, locale } = useI18n();
  const { search, navigate } = useRouter();
  const requested = search.get('status') ?? '';
  const filter: Filter = (FILTERS as readonly string[]).includes(requested) ? (requested as Filter) : 'held';
  const status = filter === 'all' ? '' : filter;
  const list = useResource(() => get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status })}`), [status]);
  const [extra, setExtra] = useState<{ items: InboundSummary[]; cursor: string | null } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  useEffect(() => setExtra(null), [status]);
  const reloadList = () => {
    setExtra(null);
    void list.reload();
  };
  useTicketEvents(reloadList);
  useInboundEvents(reloadList);
  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.cursor : list.data?.nextCursor;

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status, cursor: next })}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <Page title={t('inbound.title')} subtitle={t('inbound.subtitle')} wide>
      <form className="toolbar" role="search" aria-label={t('inbound.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="inbound-status">{t('inbound.state')}</label>
          <select
            id="inbound-status"
            value={filter}
            onChange={(e) =>
              navigate(`${base(area)}${query({ status: e.target.value === 'held' ? '' : e.target.value })}`, {
                replace: true,
              })
            }
          >
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {f === 'all' ? t('inbound.anyState') : t(`inbound.status.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button" onClick={() => void list.reload()}>
          {t('common.refresh')}
        </button>
      </form>
      <ErrorNotice error={list.error ?? actionError} />
      <TableCard
        rows={list.data ? items : undefined}
        loading={list.loading}
        empty={filter === 'held' ? t('inbound.empty') : t('inbound.emptyState')}
        caption={t('inbound.title')}
        headers={[
          t('inbound.received'),
          t('inbound.from'),
          t('inbound.subject'),
          t('inbound.reason'),
          t('inbound.ticket'),
          filter !== 'held' ? t('inbound.state') : null,
        ]}
        className="inbound-table"
      >
        {(m) => (
          <tr key={m.id} data-testid="inbound-row">
            <td className="cell-muted cell-nowrap">
              <When iso={m.receivedAt} />
            </td>
            <td>
              <Sender from={m.from} />
            </td>
            <td className="cell-subject">
              <Link
                to={`${base(area)}/${m.id}`}
                aria-label={t('inbound.openMail', { subject: m.subject || t('inbound.noSubject') })}
              >
                {m.subject || t('inbound.noSubject')}
              </Link>
            </td>
            <td className="cell-reason">{inboundReasonText(t, m, locale)}</td>
            <td>
              <TicketHint mail={m} />
            </td>
            {filter !== 'held' ? (
              <td>
                <InboundBadge status={m.status} />
              </td>
            ) : null}
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

/* ---------- one mail */
