import { useState, type FormEvent } from 'react';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { EndpointFields } from './endpoint-fields.tsx';
import { EMPTY_FORM, type EndpointForm } from './endpoint-form.ts';
import { formErrors } from './use-webhooks.ts';

/** "Add an endpoint": emptied once the endpoint is registered (its secret is then shown once by the page). */
export function NewEndpointForm({ onCreate }: { onCreate(form: EndpointForm): Promise<unknown> }) {
  const { t } = useI18n();
  const [form, setForm] = useState<EndpointForm>(EMPTY_FORM);
  const [errors, setErrors] = useState<{ url?: string; events?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found = formErrors(t, form);
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      await onCreate(form);
      setForm(EMPTY_FORM);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card form" onSubmit={submit} noValidate aria-labelledby="new-webhook-h">
      <h2 id="new-webhook-h" className="card-title">
        {t('webhooks.add')}
      </h2>
      <EndpointFields prefix="new-webhook" form={form} onChange={setForm} errors={errors} />
      <ErrorNotice error={error} />
      <div className="form-actions">
        <button type="submit" className="button button-primary" disabled={busy}>
          {t('webhooks.create')}
        </button>
      </div>
    </form>
  );
}
