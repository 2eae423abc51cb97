import { get } from '../../api.ts';
import { AttachmentLinks } from '../../components/attachment-links.tsx';
import { MessageComposer } from '../../components/composer.tsx';
import { CopiesLine } from '../../components/copies-line.tsx';
import { MailTroubleBanner } from '../../components/mail-trouble-banner.tsx';
import { MessagingBanner, useMessagingStatus } from '../../components/messaging-banner.tsx';
import { Thread } from '../../components/thread.tsx';
import { ErrorNotice, Loading, Page, StatusBadge } from '../../components/ui.tsx';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import type { ThreadData, Ticket } from '../../types.ts';

export function PortalTicket({ number }: { number: number }) {
  const { t, dateTime } = useI18n();
  const { me } = useSession();
  const ticket = useResource(() => get<Ticket>(`/tickets/${number}`), [number]);
  const thread = useResource(() => get<ThreadData>(`/tickets/${number}/messages`), [number]);
  const status = useMessagingStatus();
  useTicketEvents((n) => {
    if (n === null || n === number) {
      void ticket.reload();
      void thread.reload();
    }
  });

  if (ticket.error && !ticket.data) {
    return (
      <Page title={t('ticket.notFoundTitle')}>
        <ErrorNotice error={ticket.error} />
        <Link to="/portal">{t('portal.back')}</Link>
      </Page>
    );
  }
  if (!ticket.data) return <Loading />;
  const tk = ticket.data;
  const closed = tk.status === 'closed';
  return (
    <Page
      title={`#${tk.number} · ${tk.title}`}
      subtitle={
        <>
          <StatusBadge status={tk.status} />
          <span className="subtitle-sep" aria-hidden="true">
            ·
          </span>
          {t('ticket.opened', { date: dateTime(tk.createdAt) })}
          <span className="subtitle-sep" aria-hidden="true">
            ·
          </span>
          {tk.responsible ? t('portal.handledBy', { name: tk.responsible.name }) : t('portal.notAssigned')}
        </>
      }
      actions={
        <Link to="/portal" className="button">
          {t('portal.back')}
        </Link>
      }
    >
      <MailTroubleBanner />
      <CopiesLine copies={tk.copies} />
      <section className="card description" aria-labelledby="desc-h">
        <h2 id="desc-h" className="card-title">
          {t('ticket.description')}
        </h2>
        <div className="msg-text">{tk.description}</div>
        <AttachmentLinks attachments={tk.attachments} />
      </section>
      <section aria-labelledby="thread-h">
        <h2 id="thread-h" className="section-title">
          {t('thread.title')}
        </h2>
        <ErrorNotice error={thread.error} />
        {thread.data ? (
          <Thread messages={thread.data.items} events={thread.data.events} meId={me.id} staff={false} />
        ) : (
          <Loading />
        )}
      </section>
      <MessagingBanner status={status.data} />
      {closed ? (
        <div className="notice notice-info" data-testid="closed-notice">
          <p>{t('portal.closed')}</p>
          <Link to="/portal/new" className="button button-primary">
            {t('portal.newRequest')}
          </Link>
        </div>
      ) : (
        <div className="card">
          <MessageComposer
            ticketNumber={tk.number}
            heading={t('portal.messageToAttendant')}
            hint={t('portal.messageHint')}
            staff={false}
            disabled={status.data?.available === false}
            onPosted={() => {
              void thread.reload();
              void ticket.reload();
            }}
            onUnavailable={() => void status.reload()}
          />
        </div>
      )}
    </Page>
  );
}
