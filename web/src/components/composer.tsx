import { useId, useState, type FormEvent, type ReactNode } from 'react';
import { ApiError, post } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import type { Message, PostMessageResult } from '../types.ts';
import { AttachmentPicker } from './attachment-picker.tsx';
import { CannedAnswerPicker, optionId } from './canned-answer-picker.tsx';
import { useCannedAnswerPicker } from './use-canned-answer-picker.ts';
import { useAttachments } from './use-attachments.ts';
import { TrafficCopDialog } from './traffic-cop-dialog.tsx';
import { ErrorNotice } from './ui.tsx';
import { bringIntoView, useTrafficCop } from './use-traffic-cop.ts';
import { RichEditor } from './rich/rich-editor.tsx';
import { useRichDraft } from './rich/use-rich-draft.ts';

/**
 * The message box of a ticket: "Message" and "Send" are accessible names scripts rely on (docs: api.md).
 * Staff also get the "Send email" box, checked by default, and canned answers (the button, or `/` in the message).
 * The message is formatted (bold, lists, links…; see useRichDraft) and sent as HTML; images pasted or dropped in it
 * go as its inline images, other files dropped in it join the attachments. Files chosen with "Attach files" go with
 * the message. Given the thread (`thread`, staff), Send first asks when others'
 * messages arrived since the draft was started (the traffic cop); `onTyping` / `onStoppedTyping` follow the draft.
 */
export function MessageComposer(props: {
  ticketNumber: number;
  heading: string;
  hint?: ReactNode;
  staff: boolean;
  disabled: boolean;
  onPosted(result: PostMessageResult): void;
  onUnavailable(): void;
  /** The thread shown above, and who is writing: for the traffic cop. */
  thread?: { messages: readonly Message[] | undefined; meId: number };
  onTyping?(): void;
  onStoppedTyping?(): void;
}) {
  const { t } = useI18n();
  const id = useId();
  const [sendEmail, setSendEmail] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const [invalid, setInvalid] = useState(false);
  const [busy, setBusy] = useState(false);
  const attachments = useAttachments();
  const draft = useRichDraft({
    labelledBy: `${id}-label`,
    onChange(now) {
      if (now === '') props.onStoppedTyping?.();
      else props.onTyping?.();
      if (props.staff) picker.onTextChange();
    },
    onFiles: (files) => attachments.add(files),
    onKey: (event) => (slash ? picker.onListKey(event) : false),
  });
  const text = draft.text;
  const picker = useCannedAnswerPicker(props.ticketNumber, () => draft.surface);
  const listId = `${id}-answers`;
  const slash = props.staff && picker.opened?.mode === 'slash';
  const active = picker.matches[picker.active];
  const [arrived, setArrived] = useState<Message[] | null>(null);
  const newSinceDraft = useTrafficCop(
    props.thread?.messages,
    props.thread !== undefined && text !== '',
    props.thread?.meId ?? 0,
  );
  const describedBy = [invalid ? `${id}-err` : '', props.staff ? `${id}-picker-hint` : ''].filter(Boolean).join(' ');

  async function submit(event: FormEvent) {
    event.preventDefault();
    setError(null);
    if (draft.isEmpty()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const news = props.thread ? newSinceDraft() : [];
    if (news.length > 0) {
      setArrived(news);
      return;
    }
    await send();
  }

  async function send() {
    setArrived(null);
    setBusy(true);
    try {
      const { html, images } = await draft.body();
      const uploads = [...(attachments.files.length > 0 ? await attachments.encode() : []), ...images];
      const files = uploads.length > 0 ? { attachments: uploads } : {};
      const result = await post<PostMessageResult>(
        `/tickets/${props.ticketNumber}/messages`,
        props.staff ? { html, sendEmail, ...files } : { html, ...files },
      );
      draft.clear();
      setSendEmail(true);
      attachments.clear();
      props.onStoppedTyping?.();
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
        <label id={`${id}-label`} onClick={() => draft.surface.focus()}>
          {t('composer.message')}
        </label>
        {props.staff ? <CannedAnswerPicker picker={picker} listId={listId} /> : null}
        <RichEditor
          draft={draft}
          disabled={props.disabled}
          aria={{
            describedBy: describedBy || undefined,
            invalid,
            controls: slash ? listId : undefined,
            activeDescendant: slash && active ? optionId(listId, active.id) : undefined,
          }}
        />
        {props.staff ? (
          <p className="field-hint" id={`${id}-picker-hint`}>
            {t('picker.hint')}
          </p>
        ) : null}
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
      {arrived ? (
        <TrafficCopDialog
          messages={arrived}
          onSendAnyway={() => void send()}
          onReview={() => {
            // The dialog closes, the draft stays, and the first new message is brought into view.
            setArrived(null);
            bringIntoView(arrived[0]);
          }}
          onClose={() => setArrived(null)}
        />
      ) : null}
    </form>
  );
}
