import { useId, useState, type FormEvent } from 'react';
import { post } from '../../api.ts';
import { AttachmentPicker } from '../../components/attachment-picker.tsx';
import { useAttachments } from '../../components/use-attachments.ts';
import { ErrorNotice } from '../../components/ui.tsx';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import { TrafficCopDialog } from '../../components/traffic-cop-dialog.tsx';
import { bringIntoView, useTrafficCop } from '../../components/use-traffic-cop.ts';
import type { Message } from '../../types.ts';
import { RichEditor } from '../../components/rich/rich-editor.tsx';
import { useRichDraft } from '../../components/rich/use-rich-draft.ts';

function todayIn(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      new Date(),
    );
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}
export function NoteComposer({
  ticketNumber,
  onPosted,
  onTyping,
  onStoppedTyping,
  messages,
}: {
  ticketNumber: number;
  onPosted(): void;
  /** The thread shown above: Post asks first when others' messages arrived since the note was started. */
  messages?: readonly Message[] | undefined;
  /** The draft changed (colleagues see "typing"), or was emptied or posted. */
  onTyping?(): void;
  onStoppedTyping?(): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const id = useId();
  const [minutes, setMinutes] = useState('');
  const [day, setDay] = useState(() => todayIn(me.timeZone));
  const [errors, setErrors] = useState<{ text?: string; minutes?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attachments = useAttachments();
  const draft = useRichDraft({
    labelledBy: `${id}-label`,
    onChange(now) {
      if (now === '') onStoppedTyping?.();
      else onTyping?.();
    },
    onFiles: (files) => attachments.add(files),
  });
  const text = draft.text;
  const [arrived, setArrived] = useState<Message[] | null>(null);
  const newSinceDraft = useTrafficCop(messages, text !== '', me.id);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (draft.isEmpty()) found.text = t('composer.empty');
    const m = minutes.trim() === '' ? null : Number(minutes);
    if (m !== null && (!Number.isInteger(m) || m < 0 || m > 44640)) found.minutes = t('note.minutesInvalid');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    const news = newSinceDraft();
    if (news.length > 0) {
      setArrived(news);
      return;
    }
    await send(m);
  }

  async function send(m: number | null) {
    setArrived(null);
    setBusy(true);
    setError(null);
    try {
      const { html, images } = await draft.body();
      const uploads = [...(attachments.files.length > 0 ? await attachments.encode() : []), ...images];
      const files = uploads.length > 0 ? { attachments: uploads } : {};
      await post(`/tickets/${ticketNumber}/messages`, {
        html,
        internal: true,
        ...(m !== null ? { timeSpentMinutes: m, timeSpentDate: day || null } : {}),
        ...files,
      });
      draft.clear();
      setMinutes('');
      attachments.clear();
      onStoppedTyping?.();
      onPosted();
    } catch (e) {
      setError(attachments.explain(e));
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="composer composer-note" onSubmit={submit} noValidate aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="composer-title">
        {t('note.title')}
      </h2>
      <p className="composer-hint">{t('note.hint')}</p>
      <div className="field">
        <label id={`${id}-label`} onClick={() => draft.surface.focus()}>
          {t('note.text')}
        </label>
        <RichEditor
          draft={draft}
          disabled={busy}
          aria={{ invalid: !!errors.text, describedBy: errors.text ? `${id}-err` : undefined }}
        />
        {errors.text ? (
          <p className="field-error" id={`${id}-err`} role="alert">
            {errors.text}
          </p>
        ) : null}
      </div>
      <div className="field-row">
        <div className="field">
          <label htmlFor={`${id}-min`}>{t('note.minutes')}</label>
          <input
            id={`${id}-min`}
            type="number"
            inputMode="numeric"
            min={0}
            max={44640}
            step={1}
            value={minutes}
            onChange={(e) => setMinutes(e.target.value)}
            aria-invalid={!!errors.minutes}
          />
          {errors.minutes ? (
            <p className="field-error" role="alert">
              {errors.minutes}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-day`}>{t('note.date')}</label>
          <input id={`${id}-day`} type="date" value={day} onChange={(e) => setDay(e.target.value)} />
        </div>
      </div>
      <AttachmentPicker attachments={attachments} disabled={busy} />
      <ErrorNotice error={error} />
      <div className="composer-actions">
        <span />
        <button type="submit" className="button button-note" disabled={busy}>
          {t('note.submit')}
        </button>
      </div>
      {arrived ? (
        <TrafficCopDialog
          messages={arrived}
          onSendAnyway={() => void send(minutes.trim() === '' ? null : Number(minutes))}
          onReview={() => {
            setArrived(null);
            bringIntoView(arrived[0]);
          }}
          onClose={() => setArrived(null)}
        />
      ) : null}
    </form>
  );
}
