import { useEffect, useId, useState } from 'react';
import { get } from '../../api.ts';
import { Empty, ErrorNotice, Loading, Page, SuccessNotice, When } from '../../components/ui.tsx';
import { useTicketEvents } from '../../events.ts';
import { useResource } from '../../hooks.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link } from '../../router.tsx';
import { type InboundDetail, type Ticket } from '../../types.ts';
import { AttachForm } from './attach-form.tsx';
import { DiscardButton } from './discard-button.tsx';
import { PostAsButton } from './post-as-button.tsx';
import { PENDING, inboundChanged } from './held-count.ts';
import { type InboundArea, InboundBadge, Sender, TicketHint, base, inboundReasonText } from './inbound-parts.tsx';

export function InboundMailPage({ id, area }: { id: number; area: InboundArea }) {
  const { t, locale } = useI18n();
  const mail = useResource(() => get<InboundDetail>(`/inbound-mail/${id}`), [id]);
  const [current, setCurrent] = useState<InboundDetail | undefined>(undefined);
  const [showTrimmed, setShowTrimmed] = useState(false);
  const [done, setDone] = useState<{ kind: 'attached'; number: number } | { kind: 'discarded' } | null>(null);
  useEffect(() => setCurrent(mail.data), [mail.data]);
  const m = current ?? mail.data;
  const hint = m?.ticketNumber ?? null;
  const ticket = useResource(
    () => (hint === null ? Promise.resolve(null) : get<Ticket>(`/tickets/${hint}`).catch(() => null)),
    [hint],
  );
  useTicketEvents((n) => {
    if (n === null || (m && n === m.ticketNumber)) void mail.reload();
  });
  const trimmedId = useId();
  const back = (
    <Link to={base(area)} className="button">
      {t('inbound.back')}
    </Link>
  );

  if (!m) {
    return (
      <Page title={t('inbound.mail', { id })} actions={back}>
        <ErrorNotice error={mail.error} />
        {mail.loading ? <Loading /> : null}
      </Page>
    );
  }
  const pending = PENDING.includes(m.status);
  const reason = inboundReasonText(t, m, locale);

  return (
    <Page wide title={m.subject || t('inbound.noSubject')} subtitle={<InboundBadge status={m.status} />} actions={back}>
      {done?.kind === 'attached' ? (
        <SuccessNotice>
          {t('inbound.attached', { number: done.number })}{' '}
          <Link to={`/desk/tickets/${done.number}`}>{t('inbound.openTicket', { number: done.number })}</Link>
        </SuccessNotice>
      ) : null}
      {done?.kind === 'discarded' ? <SuccessNotice>{t('inbound.discarded')}</SuccessNotice> : null}
      <div className="two-columns">
        <div className="main-column">
          <section className="card inbound-why" aria-labelledby="why-h">
            <h2 id="why-h" className="card-title">
              {pending ? t('inbound.whyHeld') : t('inbound.whatHappened')}
            </h2>
            <p className="inbound-reason" data-testid="inbound-reason">
              {reason}
            </p>
            {/* The server's detail is English: shown beside the translated reason to English readers only. */}
            {m.reasonText && m.reasonText !== reason && locale === 'en-US' ? (
              <p className="field-hint">{m.reasonText}</p>
            ) : null}
          </section>
          <section className="card" aria-labelledby="text-h">
            <h2 id="text-h" className="card-title">
              {t('inbound.replyText')}
            </h2>
            {m.text?.trim() ? (
              <div className="msg-text inbound-text">{m.text}</div>
            ) : (
              <Empty>{t('inbound.noText')}</Empty>
            )}
            {m.trimmed?.trim() ? (
              <div className="inbound-trimmed">
                <button
                  type="button"
                  className="button button-small"
                  aria-expanded={showTrimmed}
                  aria-controls={trimmedId}
                  onClick={() => setShowTrimmed((s) => !s)}
                >
                  {showTrimmed ? t('inbound.hideTrimmed') : t('inbound.showTrimmed')}
                </button>
                <div id={trimmedId} hidden={!showTrimmed}>
                  <p className="field-hint">{t('inbound.trimmedHint')}</p>
                  <pre className="mail-text">{m.trimmed}</pre>
                </div>
              </div>
            ) : null}
          </section>
        </div>
        <aside className="side">
          {pending ? (
            <section className="card">
              {m.reason === 'copy-unverified' ? (
                <PostAsButton
                  mail={m}
                  onDone={(r) => {
                    setCurrent(r.mail);
                    setDone({ kind: 'attached', number: r.mail.ticketNumber ?? 0 });
                    inboundChanged();
                  }}
                />
              ) : null}
              <AttachForm
                mail={m}
                onDone={(r) => {
                  setCurrent(r.mail);
                  setDone({ kind: 'attached', number: r.mail.ticketNumber ?? 0 });
                  inboundChanged();
                }}
              />
              <div className="inbound-or">
                <DiscardButton
                  mail={m}
                  onDone={(updated) => {
                    setCurrent(updated);
                    setDone({ kind: 'discarded' });
                    inboundChanged();
                  }}
                />
              </div>
            </section>
          ) : null}
          <section className="card" aria-labelledby="facts-h">
            <h2 id="facts-h" className="card-title">
              {t('inbound.facts')}
            </h2>
            <dl className="details">
              <dt>{t('inbound.from')}</dt>
              <dd>
                <Sender from={m.from} />
              </dd>
              {m.envelopeTo.length > 0 ? (
                <>
                  <dt>{t('inbound.to')}</dt>
                  <dd className="cell-code">{m.envelopeTo.join(', ')}</dd>
                </>
              ) : null}
              <dt>{t('inbound.received')}</dt>
              <dd>
                <When iso={m.receivedAt} />
              </dd>
              <dt>{t('inbound.ticket')}</dt>
              <dd>
                <TicketHint mail={m} />
                {ticket.data ? <span className="inbound-ticket-title">{ticket.data.title}</span> : null}
              </dd>
              {m.resolvedAt ? (
                <>
                  <dt>{t('inbound.decidedAt')}</dt>
                  <dd>
                    <When iso={m.resolvedAt} />
                  </dd>
                </>
              ) : null}
            </dl>
            {m.rawRemovedAt ? (
              <p className="cell-muted" data-testid="inbound-raw-removed">
                {t('inbound.rawRemoved')} <When iso={m.rawRemovedAt} />
              </p>
            ) : (
              <a
                className="button button-block"
                href={`/api/v1/inbound-mail/${m.id}/raw`}
                download={`inbound-${m.id}.eml`}
              >
                {t('inbound.download')}
              </a>
            )}
          </section>
        </aside>
      </div>
    </Page>
  );
}
