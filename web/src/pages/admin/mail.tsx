import { useEffect, useState } from 'react';
import { ApiError, get, post, query } from '../../api.ts';
import { ErrorNotice, Loading, OutboxBadge, Page, SuccessNotice, TableCard, When } from '../../components/ui.tsx';
import { deliveryText } from '../../delivery.ts';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, useRouter } from '../../router.tsx';
import {
  OUTBOX_STATUSES,
  type CapturedMail,
  type CapturedSummary,
  type OutboxDetail,
  type OutboxEntry,
  type OutboxStatus,
  type Page as ApiPage,
} from '../../types.ts';

const retryable = (s: OutboxStatus) => s === 'deferred' || s === 'failed';

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

export function AdminOutboxEntry({ id }: { id: number }) {
  const { t } = useI18n();
  const entry = useResource(() => get<OutboxDetail>(`/admin/outbox/${id}`), [id]);
  const [error, setError] = useState<unknown>(null);
  const [retried, setRetried] = useState(false);
  useTicketEvents(() => void entry.reload());
  if (!entry.data) {
    return (
      <Page title={t('outbox.entry', { id })}>
        <ErrorNotice error={entry.error} />
        {entry.loading ? <Loading /> : null}
      </Page>
    );
  }
  const e = entry.data;
  async function retry() {
    setError(null);
    try {
      await post(`/admin/outbox/${id}/retry`);
      setRetried(true);
      await entry.reload();
    } catch (err) {
      setError(err);
    }
  }
  return (
    <Page
      wide
      title={t('outbox.entry', { id })}
      subtitle={e.subject}
      actions={
        <>
          {retryable(e.status) ? (
            <button type="button" className="button button-primary" onClick={() => void retry()}>
              {t('outbox.retry')}
            </button>
          ) : null}
          <Link to="/admin/outbox" className="button">
            {t('outbox.back')}
          </Link>
        </>
      }
    >
      <ErrorNotice error={error} />
      {retried ? <SuccessNotice>{t('outbox.retried', { id })}</SuccessNotice> : null}
      <div className="two-columns">
        <div className="main-column">
          <section className="card" aria-labelledby="mail-h">
            <h2 id="mail-h" className="card-title">
              {t('outbox.mail')}
            </h2>
            <iframe className="mail-frame" sandbox="" srcDoc={e.html} title={t('templates.previewHtml')} />
            <details>
              <summary>{t('templates.previewText')}</summary>
              <pre className="mail-text">{e.text}</pre>
            </details>
          </section>
          <section className="card card-flush" aria-labelledby="attempts-h">
            <h2 id="attempts-h" className="card-title card-title-padded">
              {t('outbox.attemptsTitle')}
            </h2>
            {e.attempts.length === 0 ? (
              <p className="empty card-pad">{t('outbox.noAttempts')}</p>
            ) : (
              <table className="table">
                <thead>
                  <tr>
                    <th scope="col">{t('outbox.when')}</th>
                    <th scope="col">{t('outbox.result')}</th>
                    <th scope="col">{t('outbox.reply')}</th>
                  </tr>
                </thead>
                <tbody>
                  {e.attempts.map((a, i) => (
                    <tr key={i}>
                      <td className="cell-muted" data-label={t('outbox.when')}>
                        <When iso={a.at} />
                      </td>
                      <td data-label={t('outbox.result')}>
                        {(OUTBOX_STATUSES as readonly string[]).includes(a.result)
                          ? t(`outbox.${a.result as OutboxStatus}`)
                          : a.result}
                      </td>
                      <td className="cell-code" data-label={t('outbox.reply')}>
                        {a.reply === null ? '—' : deliveryText(t, a.code, a.params, a.reply)}
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </section>
        </div>
        <aside className="side">
          <section className="card" aria-labelledby="entry-h">
            <h2 id="entry-h" className="card-title">
              {t('desk.details')}
            </h2>
            <dl className="details">
              <dt>{t('outbox.state')}</dt>
              <dd>
                <OutboxBadge status={e.status} />
              </dd>
              <dt>{t('outbox.to')}</dt>
              <dd>
                {e.toName} <span className="cell-code">&lt;{e.to}&gt;</span>
              </dd>
              <dt>{t('outbox.ticket')}</dt>
              <dd>
                {e.ticketNumber !== null ? <Link to={`/desk/tickets/${e.ticketNumber}`}>#{e.ticketNumber}</Link> : '—'}
              </dd>
              <dt>{t('outbox.attempts')}</dt>
              <dd>{e.attemptCount}</dd>
              <dt>{t('outbox.created')}</dt>
              <dd>
                <When iso={e.createdAt} />
              </dd>
              {e.sentAt ? (
                <>
                  <dt>{t('outbox.sentAt')}</dt>
                  <dd>
                    <When iso={e.sentAt} />
                  </dd>
                </>
              ) : null}
              {e.nextAttemptAt && e.status !== 'sent' ? (
                <>
                  <dt>{t('outbox.nextAttempt')}</dt>
                  <dd>
                    <When iso={e.nextAttemptAt} />
                  </dd>
                </>
              ) : null}
              {e.lastReply ? (
                <>
                  <dt>{t('outbox.lastReply')}</dt>
                  <dd className="cell-code">{deliveryText(t, e.lastReplyCode, e.lastReplyParams, e.lastReply)}</dd>
                </>
              ) : null}
              <dt>{t('outbox.messageIdHeader')}</dt>
              <dd className="cell-code break">{e.messageIdHeader}</dd>
            </dl>
          </section>
        </aside>
      </div>
    </Page>
  );
}

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

export function AdminCapturedMail({ id }: { id: number }) {
  const { t } = useI18n();
  const mail = useResource(() => get<CapturedMail>(`/admin/mail-catcher/${id}`), [id]);
  if (!mail.data) {
    return (
      <Page title={t('catcher.mail', { id })}>
        <ErrorNotice error={mail.error} />
        {mail.loading ? <Loading /> : null}
      </Page>
    );
  }
  const m = mail.data;
  return (
    <Page
      wide
      title={m.subject || t('catcher.noSubject')}
      subtitle={
        <>
          {m.from ?? ''} → {m.to ?? m.envelope.to.join(', ')}
        </>
      }
      actions={
        <Link to="/admin/mail-catcher" className="button">
          {t('catcher.back')}
        </Link>
      }
    >
      <div className="two-columns">
        <div className="main-column">
          <section className="card" aria-labelledby="body-h">
            <h2 id="body-h" className="card-title">
              {t('outbox.mail')}
            </h2>
            {m.html ? (
              <iframe className="mail-frame" sandbox="" srcDoc={m.html} title={t('templates.previewHtml')} />
            ) : null}
            <details open={!m.html}>
              <summary>{t('templates.previewText')}</summary>
              <pre className="mail-text">{m.text}</pre>
            </details>
          </section>
        </div>
        <aside className="side">
          <section className="card" aria-labelledby="headers-h">
            <h2 id="headers-h" className="card-title">
              {t('catcher.headers')}
            </h2>
            <dl className="details details-headers">
              {Object.entries(m.headers).map(([k, v]) => (
                <div key={k} className="header-row">
                  <dt>{k}</dt>
                  <dd className="cell-code break">{v}</dd>
                </div>
              ))}
            </dl>
          </section>
        </aside>
      </div>
    </Page>
  );
}
