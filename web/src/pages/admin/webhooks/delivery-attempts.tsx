import { get } from '../../../api.ts';
import { ErrorNotice, Loading, When } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { WebhookDeliveryDetail } from '../../../types.ts';
import { DeliveryBadge } from './delivery-badge.tsx';
import { webhookReplyText } from './webhook-reply.ts';

/**
 * The attempts of one delivery: when, what came of it, the endpoint's HTTP status or why there was no answer (the
 * dispatcher's sentence), and how long it took. `version` changes when the delivery does, to load them again.
 */
export function DeliveryAttempts({ id, version }: { id: number; version: string }) {
  const { t } = useI18n();
  const detail = useResource(() => get<WebhookDeliveryDetail>(`/admin/webhook-deliveries/${id}`), [id, version]);
  if (!detail.data) return detail.loading ? <Loading /> : <ErrorNotice error={detail.error} />;
  const d = detail.data;
  return (
    <div className="card-pad" data-testid="webhook-attempts">
      <p className="cell-muted">
        {t('webhooks.eventId')}: <span className="cell-code">{d.eventId}</span>
      </p>
      {d.attempts.length === 0 ? (
        <p className="empty">{t('webhooks.noAttempts')}</p>
      ) : (
        <table className="table">
          <caption className="sr-only">{t('webhooks.showAttempts', { id })}</caption>
          <thead>
            <tr>
              <th scope="col">{t('webhooks.attemptAt')}</th>
              <th scope="col">{t('webhooks.attemptResult')}</th>
              <th scope="col">{t('webhooks.attemptAnswer')}</th>
              <th scope="col">{t('webhooks.attemptDuration')}</th>
            </tr>
          </thead>
          <tbody>
            {d.attempts.map((a, i) => (
              <tr key={i} data-testid="webhook-attempt">
                <td className="cell-muted" data-label={t('webhooks.attemptAt')}>
                  <When iso={a.at} />
                </td>
                <td data-label={t('webhooks.attemptResult')}>
                  <DeliveryBadge status={a.result} />
                </td>
                <td data-label={t('webhooks.attemptAnswer')}>{webhookReplyText(t, a.replyResult, a.reply)}</td>
                <td data-label={t('webhooks.attemptDuration')}>
                  {a.durationMs === null ? '—' : t('webhooks.durationMs', { ms: a.durationMs })}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </div>
  );
}
