import { useI18n } from '../i18n/i18n.tsx';
import type { MailStatus, Message, ThreadEvent } from '../types.ts';
import { AttachmentLinks } from './attachment-links.tsx';
import { ThreadEventLine } from './thread-event-line.tsx';
import { TrimmedText } from './trimmed-text.tsx';
import { formatMinutes, When } from './ui.tsx';

/** What happened to one notification mail, in plain words. */
function MailLine({ to, status }: { to: string; status: MailStatus }) {
  const { t } = useI18n();
  const text =
    status === 'sent'
      ? t('mail.sent', { to })
      : status === 'failed'
        ? t('mail.failed', { to })
        : status === 'deferred'
          ? t('mail.deferred', { to })
          : status === 'sending'
            ? t('mail.sending', { to })
            : t('mail.waiting', { to });
  const tone = status === 'sent' ? 'ok' : status === 'failed' ? 'bad' : status === 'deferred' ? 'warn' : 'wait';
  return (
    <li className={`mail-line mail-line-${tone}`}>
      <span className="mail-dot" aria-hidden="true" />
      {text}
    </li>
  );
}

function MessageItem({ message, meId, staff }: { message: Message; meId: number; staff: boolean }) {
  const { t, date } = useI18n();
  const mine = message.author.id === meId;
  const kind = message.internal ? 'note' : message.author.role === 'requester' ? 'requester' : 'staff';
  const showMail = staff || mine;
  return (
    <li
      className={`msg msg-${kind}${mine ? ' msg-mine' : ''}`}
      data-testid="message"
      id={`message-${message.id}`}
      tabIndex={-1}
      data-internal={message.internal ? 'true' : 'false'}
    >
      <div className="msg-head">
        <span className="msg-author">{message.author.name}</span>
        {message.internal ? <span className="badge badge-note">{t('thread.internalNote')}</span> : null}
        {staff && !message.internal ? (
          <span className="msg-role">
            {message.author.role === 'requester' ? t('thread.fromRequester') : t('thread.toRequester')}
          </span>
        ) : null}
        {message.source === 'email' ? (
          <span className="badge badge-email" data-testid="by-email">
            {t('thread.viaEmail')}
          </span>
        ) : null}
        <span className="msg-time">
          <When iso={message.createdAt} />
        </span>
      </div>
      {message.removed ? (
        <p className="msg-text msg-removed" data-testid="message-removed">
          <em>{t('thread.removed')}</em>
        </p>
      ) : (
        <div className="msg-text">{message.text}</div>
      )}
      <AttachmentLinks attachments={message.attachments} />
      {message.trimmed ? <TrimmedText text={message.trimmed} /> : null}
      {message.internal && message.timeSpentMinutes !== null ? (
        <p className="msg-meta">
          {t('thread.timeSpent', { time: formatMinutes(message.timeSpentMinutes), date: date(message.timeSpentDate) })}
        </p>
      ) : null}
      {showMail && !message.internal ? (
        message.mail.length > 0 ? (
          <ul className="mail-lines" aria-label={t('thread.mailState')}>
            {message.mail.map((m, i) => (
              <MailLine key={i} to={m.to} status={m.status} />
            ))}
          </ul>
        ) : staff ? (
          <p className="msg-meta">{message.sendEmail ? t('mail.noRecipient') : t('mail.notEmailed')}</p>
        ) : null
      ) : null}
    </li>
  );
}

/**
 * The ticket's conversation, oldest first, with the changes of its life between the messages by time. Requesters never
 * receive internal notes (nor events other than status changes); they are never drawn for them either.
 */
export function Thread({
  messages,
  events = [],
  meId,
  staff,
}: {
  messages: Message[];
  events?: ThreadEvent[];
  meId: number;
  staff: boolean;
}) {
  const { t } = useI18n();
  const shown = staff ? messages : messages.filter((m) => !m.internal);
  const changes = staff ? events : events.filter((e) => e.kind === 'status');
  if (shown.length === 0 && changes.length === 0) return <p className="empty">{t('thread.empty')}</p>;
  const entries = [
    ...shown.map((m) => ({ at: Date.parse(m.createdAt), order: 0, key: `m${m.id}`, message: m })),
    ...changes.map((e) => ({ at: Date.parse(e.at), order: 1, key: `e${e.id}`, event: e })),
  ].sort((a, b) => a.at - b.at || a.order - b.order);
  return (
    <ol className="thread" aria-label={t('thread.label')}>
      {entries.map((entry) =>
        'message' in entry && entry.message ? (
          <MessageItem key={entry.key} message={entry.message} meId={meId} staff={staff} />
        ) : 'event' in entry && entry.event ? (
          <ThreadEventLine key={entry.key} event={entry.event} />
        ) : null,
      )}
    </ol>
  );
}
