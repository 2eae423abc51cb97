import { useState } from 'react';
import { del, get, patch, post } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import type {
  NewWebhookEndpoint,
  WebhookDelivery,
  WebhookEndpoint,
  WebhookSecret,
  Page as ListPage,
} from '../../../types.ts';
import { bodyOf, type EndpointForm } from './endpoint-form.ts';

/** A secret to show this once: after creating an endpoint or replacing its secret. Never kept anywhere else. */
export interface ShownSecret {
  url: string;
  secret: string;
}

/** What the form checks before it sends: an address, and at least one event. */
export function formErrors(t: ReturnType<typeof useI18n>['t'], form: EndpointForm) {
  const errors: { url?: string; events?: string } = {};
  if (!form.url.trim()) errors.url = t('validation.required');
  if (form.events.length === 0) errors.events = t('webhooks.eventsRequired');
  return errors;
}

/** The webhooks page: the endpoints with each one's last delivery, and what an administrator does with them. */
export function useWebhooks() {
  const { t } = useI18n();
  const endpoints = useResource(async () => {
    const { items } = await get<{ items: WebhookEndpoint[] }>('/admin/webhooks');
    // Each endpoint's newest delivery, for its state in the list.
    const last = await Promise.all(
      items.map(async (e) => {
        const page = await get<ListPage<WebhookDelivery>>(`/admin/webhook-deliveries?endpointId=${e.id}&limit=1`);
        return page.items[0] ?? null;
      }),
    );
    return items.map((endpoint, i) => ({ endpoint, last: last[i] ?? null }));
  }, []);
  const [notice, setNotice] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [secret, setSecret] = useState<ShownSecret | null>(null);

  async function create(form: EndpointForm): Promise<boolean> {
    setNotice(null);
    const created = await post<NewWebhookEndpoint>('/admin/webhooks', bodyOf(form));
    await endpoints.reload();
    setNotice(t('webhooks.created', { url: created.endpoint.url }));
    setSecret({ url: created.endpoint.url, secret: created.secret });
    return true;
  }

  async function update(id: number, form: EndpointForm) {
    const saved = await patch<WebhookEndpoint>(`/admin/webhooks/${id}`, bodyOf(form));
    await endpoints.reload();
    setError(null);
    setNotice(t('webhooks.saved', { url: saved.url }));
  }

  async function remove(e: WebhookEndpoint) {
    if (!window.confirm(t('webhooks.confirmDelete', { url: e.url }))) return;
    setError(null);
    setNotice(null);
    try {
      await del(`/admin/webhooks/${e.id}`);
      await endpoints.reload();
      setNotice(t('webhooks.deleted', { url: e.url }));
    } catch (err) {
      setError(err);
    }
  }

  async function rotate(e: WebhookEndpoint) {
    if (!window.confirm(t('webhooks.confirmRotate', { url: e.url }))) return;
    setError(null);
    setNotice(null);
    try {
      const answer = await post<WebhookSecret>(`/admin/webhooks/${e.id}/secret`);
      setSecret({ url: e.url, secret: answer.secret });
    } catch (err) {
      setError(err);
    }
  }

  return {
    endpoints,
    notice,
    error,
    secret,
    forgetSecret: () => setSecret(null),
    create,
    update,
    remove,
    rotate,
  };
}
