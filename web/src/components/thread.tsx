import { useI18n } from '../i18n/i18n.tsx';
import type { MailStatus, Message } from '../types.ts';
import { AttachmentLinks } from './attachment-links.tsx';
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

/** The ticket's conversation, oldest first. Requesters never receive internal notes; they are never drawn for them either. */
export function Thread({ messages, meId, staff }: { messages: Message[]; meId: number; staff: boolean }) {
  const { t } = useI18n();
  const shown = staff ? messages : messages.filter((m) => !m.internal);
  if (shown.length === 0) return <p className="empty">{t('thread.empty')}</p>;
  return (
    <ol className="thread" aria-label={t('thread.label')}>
      {shown.map((m) => (
        <MessageItem key={m.id} message={m} meId={meId} staff={staff} />
      ))}
    </ol>
  );
}
