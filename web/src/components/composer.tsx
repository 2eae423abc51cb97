import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, post } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { PostMessageResult } from '../types.ts';
import { AttachmentPicker } from './attachment-picker.tsx';
import { useAttachments } from './use-attachments.ts';
import { ErrorNotice } from './ui.tsx';
import { MAX_LENGTH } from '../api/limits.ts';

/**
 * The message box of a ticket: "Message" and "Send" are accessible names scripts rely on (docs: api.md).
 * Staff also get the "Send email" box, checked by default. Files chosen with "Attach files" go with the message.
 */
export function MessageComposer(props: {
  ticketNumber: number;
  heading: string;
  hint?: ReactNode;
  staff: boolean;
  disabled: boolean;
  onPosted(result: PostMessageResult): void;
  onUnavailable(): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [text, setText] = useState('');
  const [sendEmail, setSendEmail] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const attachments = useAttachments();

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (!text.trim()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    setBusy(true);
    try {
      const files = attachments.files.length > 0 ? { attachments: await attachments.encode() } : {};
      const result = await post<PostMessageResult>(
        `/tickets/${props.ticketNumber}/messages`,
        props.staff ? { text, sendEmail, ...files } : { text, ...files },
      );
      setText('');
      setSendEmail(true);
      attachments.clear();
      props.onPosted(result);
    } catch (e) {
      setError(attachments.explain(e));
      if (e instanceof ApiError && e.code === 'MESSAGING_UNAVAILABLE') props.onUnavailable();
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="composer" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="composer-title">
        {props.heading}
      </h2>
      {props.hint ? <p className="composer-hint">{props.hint}</p> : null}
      <div className="field">
        <label htmlFor={`${id}-text`}>{t('composer.message')}</label>
        <textarea
          id={`${id}-text`}
          rows={5}
          value={text}
          maxLength={MAX_LENGTH.message}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={invalid ? `${id}-err` : undefined}
          disabled={props.disabled}
        />
        {invalid ? (
          <p className="field-error" id={`${id}-err`} role="alert">
            {t('composer.empty')}
          </p>
        ) : null}
      </div>
      <AttachmentPicker attachments={attachments} disabled={busy || props.disabled} />
      <ErrorNotice error={error} />
      <div className="composer-actions">
        {props.staff ? (
          <label className="check">
            <input
              type="checkbox"
              checked={sendEmail}
              onChange={(e) => setSendEmail(e.target.checked)}
              disabled={props.disabled}
            />
            {t('composer.sendEmail')}
          </label>
        ) : (
          <span />
        )}
        <button type="submit" className="button button-primary" disabled={busy || props.disabled}>
          {t('composer.send')}
        </button>
      </div>
    </form>
  );
}
