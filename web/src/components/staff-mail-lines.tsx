import { useState } from 'react';
import { useI18n } from '../i18n/i18n.tsx';
import type { MailLineData } from '../types.ts';
import { ResendMailForm } from './resend-mail-form.tsx';
import { MailLine } from './mail-line.tsx';

/**
 * A message's mails as staff see them: each with its state; a failed (or bounced) one offers "Correct the address and
 * send again", and the mail that replaced it appears under it ("sent again to … on …"), so the whole story is shown.
 */
export function StaffMailLines({
  mail,
  ticketNumber,
  onResent,
}: {
  mail: MailLineData[];
  ticketNumber: number;
  onResent?: () => void;
}) {
  const { t } = useI18n();
  const ids = new Set(mail.map((m) => m.id));
  // A resend whose original is not among these lines (never expected) is shown on its own.
  const roots = mail.filter((m) => m.resentFromId == null || !ids.has(m.resentFromId));
  return (
    <ul className="mail-lines" aria-label={t('thread.mailState')}>
      {roots.map((m, i) => (
        <MailStory key={m.id ?? i} line={m} all={mail} ticketNumber={ticketNumber} onResent={onResent} />
      ))}
    </ul>
  );
}

function MailStory({
  line,
  all,
  ticketNumber,
  onResent,
}: {
  line: MailLineData;
  all: MailLineData[];
  ticketNumber: number;
  onResent?: () => void;
}) {
  const { t, dateTime } = useI18n();
  const [open, setOpen] = useState(false);
  const next = line.id === undefined ? undefined : all.find((m) => m.resentFromId === line.id);
  const resendable = line.status === 'failed' && line.id !== undefined && !next;
  return (
    <li className="mail-story" data-testid="mail-story" data-mail-id={line.id}>
      <ul className="mail-lines-plain">
        <MailLine to={line.to} cc={line.cc} status={line.status} />
      </ul>
      {resendable && !open ? (
        <button
          type="button"
          className="button button-small"
          data-testid="resend-open"
          aria-label={t('mail.resendLabel', { to: line.to })}
          onClick={() => setOpen(true)}
        >
          {t('mail.resendOpen')}
        </button>
      ) : null}
      {resendable && open ? (
        <ResendMailForm
          ticketNumber={ticketNumber}
          mailId={line.id!}
          address={line.to}
          onCancel={() => setOpen(false)}
          onResent={() => {
            setOpen(false);
            onResent?.();
          }}
        />
      ) : null}
      {next ? (
        <div className="mail-resent" data-testid="mail-resent">
          <p className="mail-resent-line">
            {t('mail.resentTo', { to: next.to, date: next.createdAt ? dateTime(next.createdAt) : '' })}
          </p>
          <ul className="mail-lines-plain">
            <MailStory line={next} all={all} ticketNumber={ticketNumber} onResent={onResent} />
          </ul>
        </div>
      ) : null}
    </li>
  );
}
