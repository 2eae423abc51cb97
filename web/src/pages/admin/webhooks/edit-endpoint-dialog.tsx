import { useState, type FormEvent } from 'react';
import { Dialog, ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import type { WebhookEndpoint } from '../../../types.ts';
import { EndpointFields } from './endpoint-fields.tsx';
import { formOf, type EndpointForm } from './endpoint-form.ts';
import { formErrors } from './use-webhooks.ts';

/** Edits an endpoint's address, events and switches (its secret is replaced apart, never shown here). */
export function EditEndpointDialog({
  endpoint,
  onSave,
  onClose,
}: {
  endpoint: WebhookEndpoint;
  onSave(form: EndpointForm): Promise<void>;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [form, setForm] = useState<EndpointForm>(formOf(endpoint));
  const [errors, setErrors] = useState<{ url?: string; events?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const title = t('webhooks.edit', { url: endpoint.url });

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = formErrors(t, form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await onSave(form);
      onClose();
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Dialog title={title} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate aria-label={title}>
        <EndpointFields prefix="edit-webhook" form={form} onChange={setForm} errors={errors} />
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
