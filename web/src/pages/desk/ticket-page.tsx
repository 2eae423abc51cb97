import { useEffect, useState } from 'react';
import { get } from '../../api.ts';
import { AttachmentLinks } from '../../components/attachment-links.tsx';
import { MessageComposer } from '../../components/composer.tsx';
import { MessagingBanner, useMessagingStatus } from '../../components/messaging-banner.tsx';
import { Thread } from '../../components/thread.tsx';
import { ErrorNotice, Loading, Page, StatusBadge } from '../../components/ui.tsx';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import { useSession } from '../../session.tsx';
import { type ThreadData, type Ticket } from '../../types.ts';
import { NoteComposer } from './note-composer.tsx';
import { PresenceLine } from './presence-line.tsx';
import { usePresenceReport } from './use-presence-report.ts';
import { TicketDetails } from './ticket-details.tsx';

export function DeskTicket({ number }: { number: number }) {
  const { t } = useI18n();
  const { me } = useSession();
  const ticket = useResource(() => get<Ticket>(`/tickets/${number}`), [number]);
  const thread = useResource(() => get<ThreadData>(`/tickets/${number}/messages`), [number]);
  const status = useMessagingStatus();
  const [tab, setTab] = useState<'message' | 'note'>('message');
  const [current, setCurrent] = useState<Ticket | undefined>(undefined);
  useEffect(() => setCurrent(ticket.data), [ticket.data]);
  const presence = usePresenceReport(number);
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
        <Link to="/desk">{t('desk.back')}</Link>
      </Page>
    );
  }
  const tk = current ?? ticket.data;
  if (!tk) return <Loading />;
  const refresh = () => {
    void thread.reload();
    void ticket.reload();
  };
  const tabId = (name: string) => `composer-tab-${name}`;
  return (
    <Page
      wide
      title={`#${tk.number} · ${tk.title}`}
      subtitle={
        <>
          <StatusBadge status={tk.status} />
          <span className="subtitle-sep" aria-hidden="true">
            ·
          </span>
          {tk.requester.name}
          {tk.group ? (
            <>
              <span className="subtitle-sep" aria-hidden="true">
                ·
              </span>
              {tk.group.name}
            </>
          ) : null}
        </>
      }
      actions={
        <Link to="/desk" className="button">
          {t('desk.back')}
        </Link>
      }
    >
      <PresenceLine ticketNumber={number} />
      <div className="two-columns">
        <div className="main-column">
          <section className="card description" aria-labelledby="desc-h">
            <h2 id="desc-h" className="card-title">
              {t('ticket.description')}
            </h2>
            <div className="msg-text">{tk.description}</div>
            <AttachmentLinks attachments={ticket.data?.attachments ?? tk.attachments} />
          </section>
          <section aria-labelledby="thread-h">
            <h2 id="thread-h" className="section-title">
              {t('thread.title')}
            </h2>
            <ErrorNotice error={thread.error} />
            {thread.data ? (
              <Thread
                messages={thread.data.items}
                events={thread.data.events}
                meId={me.id}
                staff
                ticketNumber={number}
                onMailResent={() => void thread.reload()}
              />
            ) : (
              <Loading />
            )}
          </section>
          <MessagingBanner status={status.data} />
          <div className="card composer-card">
            <div className="tabs" role="tablist" aria-label={t('desk.write')}>
              <button
                type="button"
                role="tab"
                id={tabId('message')}
                aria-selected={tab === 'message'}
                aria-controls="panel-message"
                className={tab === 'message' ? 'tab tab-on' : 'tab'}
                onClick={() => setTab('message')}
              >
                {t('desk.messageToRequester')}
              </button>
              <button
                type="button"
                role="tab"
                id={tabId('note')}
                aria-selected={tab === 'note'}
                aria-controls="panel-note"
                className={tab === 'note' ? 'tab tab-on tab-note' : 'tab tab-note'}
                onClick={() => setTab('note')}
              >
                {t('note.tab')}
              </button>
            </div>
            <div role="tabpanel" id="panel-message" aria-labelledby={tabId('message')} hidden={tab !== 'message'}>
              <MessageComposer
                ticketNumber={tk.number}
                heading={t('desk.messageToRequester')}
                hint={t('desk.messageHint', { name: tk.requester.name })}
                staff
                disabled={status.data?.available === false}
                onPosted={refresh}
                onUnavailable={() => void status.reload()}
                thread={{ messages: thread.data?.items, meId: me.id }}
                onTyping={presence.typing}
                onStoppedTyping={presence.stoppedTyping}
              />
            </div>
            <div role="tabpanel" id="panel-note" aria-labelledby={tabId('note')} hidden={tab !== 'note'}>
              <NoteComposer
                ticketNumber={tk.number}
                onPosted={refresh}
                onTyping={presence.typing}
                onStoppedTyping={presence.stoppedTyping}
                messages={thread.data?.items}
              />
            </div>
          </div>
        </div>
        <TicketDetails
          ticket={tk}
          // PATCH answers the ticket without its attachments and copies: keep those shown.
          onSaved={(updated) => {
            setCurrent((c) => ({
              ...updated,
              attachments: updated.attachments ?? c?.attachments ?? ticket.data?.attachments,
              copies: updated.copies ?? c?.copies ?? ticket.data?.copies,
            }));
            // The change is now an event of the thread.
            void thread.reload();
          }}
          onCopiesSaved={(copies) => {
            setCurrent((c) => (c ? { ...c, copies } : c));
            void thread.reload();
          }}
        />
      </div>
    </Page>
  );
}
