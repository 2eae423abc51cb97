import { useI18n } from '../i18n/i18n.tsx';
import type { Message, ThreadEvent } from '../types.ts';
import { AttachmentLinks } from './attachment-links.tsx';
import { MailLine } from './mail-line.tsx';
import { StaffMailLines } from './staff-mail-lines.tsx';
import { ThreadEventLine } from './thread-event-line.tsx';
import { TrimmedText } from './trimmed-text.tsx';
import { MessageBody } from './rich/message-body.tsx';
import { shownContentIds } from './rich/message-html.ts';
import { formatMinutes, When } from './ui.tsx';

/** The files listed under a message: its inline images are shown in its text, not listed. */
function filesOf(message: Message) {
  const inline = shownContentIds(message.removed ? null : message.html);
  return message.attachments?.filter((a) => !(a.contentId && inline.has(a.contentId)));
}

function MessageItem({
  message,
  meId,
  staff,
  ticketNumber,
  onMailResent,
}: {
  message: Message;
  meId: number;
  staff: boolean;
  ticketNumber?: number;
  onMailResent?: () => void;
}) {
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
        <MessageBody message={message} />
      )}
      <AttachmentLinks attachments={filesOf(message)} />
      {message.trimmed ? <TrimmedText text={message.trimmed} /> : null}
      {message.internal && message.timeSpentMinutes !== null ? (
        <p className="msg-meta">
          {t('thread.timeSpent', { time: formatMinutes(message.timeSpentMinutes), date: date(message.timeSpentDate) })}
        </p>
      ) : null}
      {showMail && !message.internal ? (
        message.mail.length > 0 && staff && ticketNumber !== undefined ? (
          <StaffMailLines mail={message.mail} ticketNumber={ticketNumber} onResent={onMailResent} />
        ) : message.mail.length > 0 ? (
          <ul className="mail-lines" aria-label={t('thread.mailState')}>
            {message.mail.map((m, i) => (
              <MailLine key={i} to={m.to} cc={m.cc} status={m.status} />
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
  ticketNumber,
  onMailResent,
}: {
  messages: Message[];
  events?: ThreadEvent[];
  meId: number;
  staff: boolean;
  /** Staff: the ticket, so a failed mail can be sent again to a corrected address from its line. */
  ticketNumber?: number;
  onMailResent?: () => void;
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
          <MessageItem
            key={entry.key}
            message={entry.message}
            meId={meId}
            staff={staff}
            ticketNumber={ticketNumber}
            onMailResent={onMailResent}
          />
        ) : 'event' in entry && entry.event ? (
          <ThreadEventLine key={entry.key} event={entry.event} />
        ) : null,
      )}
    </ol>
  );
}
