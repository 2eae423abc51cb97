import { useState } from 'react';
import { get, post } from '../../../api.ts';
import { ErrorNotice, Loading, OutboxBadge, Page, SuccessNotice, When } from '../../../components/ui.tsx';
import { deliveryText } from '../../../delivery.ts';
import { useTicketEvents } from '../../../events.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import { OUTBOX_STATUSES, type OutboxDetail, type OutboxStatus } from '../../../types.ts';
import { retryable } from './outbox-page.tsx';
import { withFramePolicy } from '../../../components/rich/frame-policy.ts';

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
            <iframe
              className="mail-frame"
              sandbox=""
              srcDoc={withFramePolicy(e.html)}
              title={t('templates.previewHtml')}
            />
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
