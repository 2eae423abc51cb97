import { useI18n } from '../../../i18n/i18n.tsx';
import type { WebhookDeliveryStatus } from '../../../types.ts';

const LOOK: Record<WebhookDeliveryStatus | 'interrupted', string> = {
  queued: 'mail-queued',
  sending: 'mail-sending',
  delivered: 'mail-sent',
  deferred: 'mail-deferred',
  failed: 'mail-failed',
  interrupted: 'mail-deferred',
};

/** A delivery's (or an attempt's) state, in words, coloured as the outbox's. */
export function DeliveryBadge({ status }: { status: WebhookDeliveryStatus | 'interrupted' }) {
  const { t } = useI18n();
  return <span className={`badge ${LOOK[status]}`}>{t(`webhooks.status.${status}`)}</span>;
}
