import { useState } from 'react';
import { get, post } from '../../../api.ts';
import { ErrorNotice, Loading, Page, SuccessNotice, TableCard, When } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import type { Page as ListPage, WebhookDelivery, WebhookEndpoint } from '../../../types.ts';
import { DeliveryAttempts } from './delivery-attempts.tsx';
import { DeliveryBadge } from './delivery-badge.tsx';
import { webhookReplyText } from './webhook-reply.ts';

/** The deliveries of one endpoint, newest first, each with its attempts and "send again" (the same event id). */
export function AdminWebhookDeliveries({ id }: { id: number }) {
  const { t } = useI18n();
  const endpoint = useResource(async () => {
    const { items } = await get<{ items: WebhookEndpoint[] }>('/admin/webhooks');
    return items.find((e) => e.id === id) ?? null;
  }, [id]);
  const deliveries = useResource(
    () => get<ListPage<WebhookDelivery>>(`/admin/webhook-deliveries?endpointId=${id}&limit=50`),
    [id],
  );
  const [open, setOpen] = useState<number[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const url = endpoint.data?.url ?? '';

  async function sendAgain(d: WebhookDelivery) {
    setError(null);
    setNotice(null);
    try {
      await post<WebhookDelivery>(`/admin/webhook-deliveries/${d.id}/resend`);
      await deliveries.reload();
      setNotice(t('webhooks.sentAgain', { id: d.id }));
    } catch (e) {
      setError(e);
    }
  }

  const toggle = (d: WebhookDelivery) =>
    setOpen(open.includes(d.id) ? open.filter((x) => x !== d.id) : [...open, d.id]);

  return (
    <Page
      title={t('webhooks.deliveriesTitle')}
      subtitle={url ? <span className="cell-code webhook-url">{url}</span> : undefined}
      actions={
        <>
          <button type="button" className="button" onClick={() => void deliveries.reload()}>
            {t('common.refresh')}
          </button>
          <Link to="/admin/webhooks" className="button">
            {t('webhooks.back')}
          </Link>
        </>
      }
    >
      <ErrorNotice error={endpoint.error ?? deliveries.error ?? error} />
      {endpoint.data === null ? (
        <div className="notice notice-error" role="alert">
          {t('error.webhookNotFound')}
        </div>
      ) : null}
      {notice ? <SuccessNotice>{notice}</SuccessNotice> : null}
      {endpoint.loading && endpoint.data === undefined ? <Loading /> : null}
      <TableCard
        rows={deliveries.data?.items}
        loading={deliveries.loading}
        empty={t('webhooks.noDeliveries')}
        caption={t('webhooks.deliveriesOf', { url })}
        headers={[
          t('webhooks.event'),
          t('webhooks.queuedAt'),
          t('webhooks.state'),
          t('webhooks.attempts'),
          t('webhooks.attemptAnswer'),
        ]}
        actions
      >
        {(d) => [
          <tr key={d.id} data-testid="webhook-delivery">
            <td className="cell-title" data-label={t('webhooks.event')}>
              {t(`webhooks.event.${d.event}`)}
              <div className="cell-muted cell-code webhook-url">{d.eventId}</div>
            </td>
            <td className="cell-muted" data-label={t('webhooks.queuedAt')}>
              <When iso={d.createdAt} />
            </td>
            <td data-label={t('webhooks.state')}>
              <DeliveryBadge status={d.status} />
            </td>
            <td data-label={t('webhooks.attempts')}>{d.attemptCount}</td>
            <td className="cell-muted" data-label={t('webhooks.attemptAnswer')}>
              {webhookReplyText(t, d.lastReplyResult, d.lastReply)}
            </td>
            <td className="cell-actions">
              <div className="row-actions">
                <button
                  type="button"
                  className="button button-small"
                  aria-expanded={open.includes(d.id)}
                  aria-controls={`webhook-attempts-${d.id}`}
                  aria-label={t('webhooks.showAttempts', { id: d.id })}
                  onClick={() => toggle(d)}
                >
                  {t('webhooks.attempts')}
                </button>
                {d.status !== 'sending' ? (
                  <button
                    type="button"
                    className="button button-small"
                    aria-label={t('webhooks.sendAgainLabel', { id: d.id })}
                    onClick={() => void sendAgain(d)}
                  >
                    {t('webhooks.sendAgain')}
                  </button>
                ) : null}
              </div>
            </td>
          </tr>,
          open.includes(d.id) ? (
            <tr key={`${d.id}-attempts`} id={`webhook-attempts-${d.id}`}>
              <td colSpan={6}>
                <DeliveryAttempts
                  id={d.id}
                  version={`${d.status}-${d.attemptCount}-${d.lastReply ?? ''}-${d.deliveredAt ?? ''}-${d.nextAttemptAt ?? ''}`}
                />
              </td>
            </tr>
          ) : null,
        ]}
      </TableCard>
    </Page>
  );
}
