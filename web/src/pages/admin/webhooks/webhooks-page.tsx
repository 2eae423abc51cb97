import { useState } from 'react';
import { ErrorNotice, Page, SuccessNotice, TableCard, When } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import type { WebhookEndpoint } from '../../../types.ts';
import { DeliveryBadge } from './delivery-badge.tsx';
import { EditEndpointDialog } from './edit-endpoint-dialog.tsx';
import { NewEndpointForm } from './new-endpoint-form.tsx';
import { SecretDialog } from './secret-dialog.tsx';
import { useWebhooks } from './use-webhooks.ts';

/** The endpoints Parley posts events to: listed with their last delivery, added, edited, deleted; secrets shown once. */
export function AdminWebhooks() {
  const { t } = useI18n();
  const w = useWebhooks();
  const [editing, setEditing] = useState<WebhookEndpoint | null>(null);
  const yesNo = (value: boolean) => (value ? t('common.yes') : t('common.no'));

  return (
    <Page title={t('webhooks.title')} subtitle={t('webhooks.subtitle')}>
      <ErrorNotice error={w.endpoints.error ?? w.error} />
      {w.notice ? <SuccessNotice>{w.notice}</SuccessNotice> : null}
      <TableCard
        rows={w.endpoints.data}
        loading={w.endpoints.loading}
        empty={t('webhooks.empty')}
        caption={t('webhooks.title')}
        headers={[
          t('webhooks.url'),
          t('webhooks.events'),
          t('webhooks.publicOnly'),
          t('webhooks.allowPrivate'),
          t('webhooks.state'),
          t('webhooks.lastDelivery'),
        ]}
        actions
      >
        {({ endpoint: e, last }) => (
          <tr key={e.id} data-testid="webhook-row">
            <td className="cell-title">
              <span className="cell-code webhook-url">{e.url}</span>
              {e.description ? <div className="cell-muted">{e.description}</div> : null}
            </td>
            <td>{e.events.map((event) => t(`webhooks.event.${event}`)).join(', ')}</td>
            <td>{yesNo(e.publicOnly)}</td>
            <td>{yesNo(e.allowPrivate)}</td>
            <td>
              <span className={e.active ? 'badge badge-ok' : 'badge badge-muted'}>
                {e.active ? t('webhooks.active') : t('webhooks.paused')}
              </span>
            </td>
            <td>
              {last ? (
                <>
                  <DeliveryBadge status={last.status} /> <When iso={last.deliveredAt ?? last.createdAt} relative />
                </>
              ) : (
                <span className="cell-muted">{t('webhooks.noDelivery')}</span>
              )}
            </td>
            <td className="cell-actions">
              <div className="row-actions webhook-actions">
                <Link
                  to={`/admin/webhooks/${e.id}`}
                  className="button button-small"
                  aria-label={t('webhooks.deliveriesOf', { url: e.url })}
                >
                  {t('webhooks.deliveries')}
                </Link>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => setEditing(e)}
                  aria-label={t('webhooks.edit', { url: e.url })}
                >
                  {t('common.edit')}
                </button>
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void w.rotate(e)}
                  aria-label={t('webhooks.rotateLabel', { url: e.url })}
                >
                  {t('webhooks.rotate')}
                </button>
                <button
                  type="button"
                  className="button button-small button-danger"
                  onClick={() => void w.remove(e)}
                  aria-label={t('webhooks.delete', { url: e.url })}
                >
                  {t('common.delete')}
                </button>
              </div>
            </td>
          </tr>
        )}
      </TableCard>
      {editing ? (
        <EditEndpointDialog
          endpoint={editing}
          onSave={(form) => w.update(editing.id, form)}
          onClose={() => setEditing(null)}
        />
      ) : null}
      {w.secret ? <SecretDialog shown={w.secret} onClose={w.forgetSecret} /> : null}
      <NewEndpointForm onCreate={w.create} />
    </Page>
  );
}
