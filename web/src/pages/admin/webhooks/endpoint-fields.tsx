import { MAX_LENGTH } from '../../../api/limits.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { WEBHOOK_EVENTS } from '../../../types.ts';
import type { EndpointForm } from './endpoint-form.ts';

/**
 * The fields of an endpoint, shared by "Add an endpoint" and its edit dialog (`prefix` keeps their ids apart): the
 * address, a description, the events by their names, public events only, private addresses (with what allowing them
 * means) and active.
 */
export function EndpointFields({
  prefix,
  form,
  onChange,
  errors,
}: {
  prefix: string;
  form: EndpointForm;
  onChange(form: EndpointForm): void;
  errors: { url?: string; events?: string };
}) {
  const { t } = useI18n();
  const set = <K extends keyof EndpointForm>(key: K, value: EndpointForm[K]) => onChange({ ...form, [key]: value });
  return (
    <>
      <div className="field">
        <label htmlFor={`${prefix}-url`}>{t('webhooks.url')}</label>
        <input
          id={`${prefix}-url`}
          type="url"
          inputMode="url"
          autoComplete="off"
          value={form.url}
          maxLength={MAX_LENGTH.webhookUrl}
          onChange={(e) => set('url', e.target.value)}
          aria-invalid={!!errors.url}
          aria-describedby={errors.url ? `${prefix}-url-hint ${prefix}-url-err` : `${prefix}-url-hint`}
        />
        <p className="field-hint" id={`${prefix}-url-hint`}>
          {t('webhooks.urlHint')}
        </p>
        {errors.url ? (
          <p className="field-error" id={`${prefix}-url-err`}>
            {errors.url}
          </p>
        ) : null}
      </div>
      <div className="field">
        <label htmlFor={`${prefix}-description`}>{t('webhooks.description')}</label>
        <input
          id={`${prefix}-description`}
          value={form.description}
          maxLength={MAX_LENGTH.webhookDescription}
          onChange={(e) => set('description', e.target.value)}
        />
      </div>
      <fieldset className="fieldset" aria-describedby={errors.events ? `${prefix}-events-err` : undefined}>
        <legend>{t('webhooks.events')}</legend>
        <div className="check-grid">
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event} className="check">
              <input
                type="checkbox"
                value={event}
                checked={form.events.includes(event)}
                onChange={(e) =>
                  set('events', e.target.checked ? [...form.events, event] : form.events.filter((x) => x !== event))
                }
              />
              {t(`webhooks.event.${event}`)}
            </label>
          ))}
        </div>
        {errors.events ? (
          <p className="field-error" id={`${prefix}-events-err`}>
            {errors.events}
          </p>
        ) : null}
      </fieldset>
      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={form.publicOnly}
            onChange={(e) => set('publicOnly', e.target.checked)}
            aria-describedby={`${prefix}-public-hint`}
          />
          {t('webhooks.publicOnly')}
        </label>
        <p className="field-hint" id={`${prefix}-public-hint`}>
          {t('webhooks.publicOnlyHint')}
        </p>
      </div>
      <div className="field">
        <label className="check">
          <input
            type="checkbox"
            checked={form.allowPrivate}
            onChange={(e) => set('allowPrivate', e.target.checked)}
            aria-describedby={`${prefix}-private-warning`}
          />
          {t('webhooks.allowPrivate')}
        </label>
        <p className={form.allowPrivate ? 'notice notice-warn' : 'field-hint'} id={`${prefix}-private-warning`}>
          {t('webhooks.allowPrivateWarning')}
        </p>
      </div>
      <label className="check">
        <input type="checkbox" checked={form.active} onChange={(e) => set('active', e.target.checked)} />
        {t('webhooks.active')}
      </label>
    </>
  );
}
