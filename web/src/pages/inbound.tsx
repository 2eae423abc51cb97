/**
 * "Needs review": inbound mail Parley could not post by itself (strangers, altered reply addresses, no matching
 * ticket...). Technicians see the mail of their tickets and the unmatched mail, administrators all of it. The same
 * pages serve the Service Desk (`/desk/inbound`) and the administration (`/admin/inbound`).
 */
import { useEffect, useId, useRef, useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { Dialog, Empty, ErrorNotice, Loading, Page, SuccessNotice, TableCard, When } from '../components/ui.tsx';
import { useInboundEvents, useTicketEvents } from '../events.ts';
import { useResource } from '../hooks.ts';
import { useI18n, type MessageKey, type Translate } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import {
  INBOUND_REASONS,
  type InboundAttachResult,
  type InboundDetail,
  type InboundReason,
  type InboundStatus,
  type InboundSummary,
  type Page as ApiPage,
  type Ticket,
} from '../types.ts';

export type InboundArea = 'desk' | 'admin';

/** Mail a person can still decide on (the API attaches or discards these only). */
const PENDING: readonly InboundStatus[] = ['held', 'loop'];

/** The filter's choices, in the order a reviewer needs them; `all` is no filter. */
const FILTERS = ['held', 'posted', 'discarded', 'loop', 'bounce', 'duplicate', 'received', 'all'] as const;
type Filter = (typeof FILTERS)[number];

const base = (area: InboundArea) => (area === 'admin' ? '/admin/inbound' : '/desk/inbound');

/* ---------- the count in the navigation */

const changeListeners = new Set<() => void>();

/** Tells the navigation's count that a mail was decided here (a discarded unmatched mail raises no ticket event). */
function inboundChanged() {
  for (const l of [...changeListeners]) l();
}

const HELD_PAGE = 100;
/** The badge refetches on live events (ticket and inbound) and page changes; this slow timer is a fallback. */
const HELD_REFRESH_MS = 60_000;

/**
 * How many held mails the user may review: one call (`?status=held&limit=100`), `more` when there are further pages.
 * Refreshed when the page changes, on live ticket and inbound events (at most once a second), when a mail is decided here, and
 * every minute.
 */
export function useHeldCount(enabled: boolean): { count: number; more: boolean } | null {
  const { path } = useRouter();
  const [state, setState] = useState<{ count: number; more: boolean } | null>(null);
  const sequence = useRef(0);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const load = useRef(async () => {});
  load.current = async () => {
    if (!enabled) return;
    const n = ++sequence.current;
    try {
      const page = await get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status: 'held', limit: HELD_PAGE })}`);
      if (n === sequence.current) setState({ count: page.items.length, more: page.nextCursor !== null });
    } catch {
      // The count is a hint: keep the last one shown.
    }
  };
  const soon = () => {
    if (timer.current !== undefined) return;
    timer.current = setTimeout(() => {
      timer.current = undefined;
      void load.current();
    }, 1_000);
  };
  useEffect(() => {
    void load.current();
  }, [path, enabled]);
  useEffect(() => {
    if (!enabled) return;
    const every = setInterval(() => void load.current(), HELD_REFRESH_MS);
    const listener = () => void load.current();
    changeListeners.add(listener);
    return () => {
      clearInterval(every);
      changeListeners.delete(listener);
      clearTimeout(timer.current);
      timer.current = undefined;
    };
  }, [enabled]);
  useTicketEvents(() => {
    if (enabled) soon();
  });
  useInboundEvents(() => {
    if (enabled) soon();
  });
  return enabled ? state : null;
}

/* ---------- words */

export function inboundReasonText(t: Translate, mail: Pick<InboundSummary, 'reason' | 'reasonText'>): string {
  if (mail.reason && (INBOUND_REASONS as readonly string[]).includes(mail.reason))
    return t(`inbound.reason.${mail.reason as InboundReason}` as MessageKey);
  return mail.reasonText ?? '';
}

function InboundBadge({ status }: { status: InboundStatus }) {
  const { t } = useI18n();
  return <span className={`badge inbound-${status}`}>{t(`inbound.status.${status}`)}</span>;
}

function Sender({ from }: { from: InboundSummary['from'] }) {
  const { t } = useI18n();
  if (!from.address && !from.name) return <span className="cell-muted">{t('inbound.unknownSender')}</span>;
  return (
    <>
      <span className="cell-strong">{from.name || from.address}</span>
      {from.name && from.address ? (
        <>
          <br />
          <span className="cell-code cell-muted">{from.address}</span>
        </>
      ) : null}
    </>
  );
}

function TicketHint({ mail }: { mail: InboundSummary }) {
  const { t } = useI18n();
  if (mail.ticketNumber === null) return <span className="cell-muted">{t('inbound.noTicket')}</span>;
  const label =
    mail.status === 'posted'
      ? t('inbound.postedTo', { number: mail.ticketNumber })
      : t('inbound.seemsTicket', { number: mail.ticketNumber });
  return <Link to={`/desk/tickets/${mail.ticketNumber}`}>{label}</Link>;
}

/* ---------- the list */

export function InboundReview({ area }: { area: InboundArea }) {
  const { t } = useI18n();
  const { search, navigate } = useRouter();
  const requested = search.get('status') ?? '';
  const filter: Filter = (FILTERS as readonly string[]).includes(requested) ? (requested as Filter) : 'held';
  const status = filter === 'all' ? '' : filter;
  const list = useResource(() => get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status })}`), [status]);
  const [extra, setExtra] = useState<{ items: InboundSummary[]; cursor: string | null } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  useEffect(() => setExtra(null), [status]);
  const reloadList = () => {
    setExtra(null);
    void list.reload();
  };
  useTicketEvents(reloadList);
  useInboundEvents(reloadList);
  const items = [...(list.data?.items ?? []), ...(extra?.items ?? [])];
  const next = extra ? extra.cursor : list.data?.nextCursor;

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<InboundSummary>>(`/inbound-mail${query({ status, cursor: next })}`);
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <Page title={t('inbound.title')} subtitle={t('inbound.subtitle')} wide>
      <form className="toolbar" role="search" aria-label={t('inbound.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="field field-inline">
          <label htmlFor="inbound-status">{t('inbound.state')}</label>
          <select
            id="inbound-status"
            value={filter}
            onChange={(e) =>
              navigate(`${base(area)}${query({ status: e.target.value === 'held' ? '' : e.target.value })}`, {
                replace: true,
              })
            }
          >
            {FILTERS.map((f) => (
              <option key={f} value={f}>
                {f === 'all' ? t('inbound.anyState') : t(`inbound.status.${f}`)}
              </option>
            ))}
          </select>
        </div>
        <button type="button" className="button" onClick={() => void list.reload()}>
          {t('common.refresh')}
        </button>
      </form>
      <ErrorNotice error={list.error ?? actionError} />
      <TableCard
        rows={list.data ? items : undefined}
        loading={list.loading}
        empty={filter === 'held' ? t('inbound.empty') : t('inbound.emptyState')}
        caption={t('inbound.title')}
        headers={[
          t('inbound.received'),
          t('inbound.from'),
          t('inbound.subject'),
          t('inbound.reason'),
          t('inbound.ticket'),
          filter !== 'held' ? t('inbound.state') : null,
        ]}
        className="inbound-table"
      >
        {(m) => (
          <tr key={m.id} data-testid="inbound-row">
            <td className="cell-muted cell-nowrap">
              <When iso={m.receivedAt} />
            </td>
            <td>
              <Sender from={m.from} />
            </td>
            <td className="cell-subject">
              <Link
                to={`${base(area)}/${m.id}`}
                aria-label={t('inbound.openMail', { subject: m.subject || t('inbound.noSubject') })}
              >
                {m.subject || t('inbound.noSubject')}
              </Link>
            </td>
            <td className="cell-reason">{inboundReasonText(t, m)}</td>
            <td>
              <TicketHint mail={m} />
            </td>
            {filter !== 'held' ? (
              <td>
                <InboundBadge status={m.status} />
              </td>
            ) : null}
          </tr>
        )}
      </TableCard>
      {next ? (
        <div className="more">
          <button type="button" className="button" onClick={() => void more()}>
            {t('common.loadMore')}
          </button>
        </div>
      ) : null}
    </Page>
  );
}

/* ---------- one mail */

function AttachForm({ mail, onDone }: { mail: InboundDetail; onDone(result: InboundAttachResult): void }) {
  const { t } = useI18n();
  const id = useId();
  const [number, setNumber] = useState(mail.ticketNumber !== null ? String(mail.ticketNumber) : '');
  const [internal, setInternal] = useState(true);
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function submit(event: FormEvent) {
    event.preventDefault();
    const n = Number(number.trim());
    const ok = /^\d+$/.test(number.trim()) && n >= 1 && n <= 2147483647;
    setInvalid(!ok);
    if (!ok) return;
    setBusy(true);
    setError(null);
    try {
      onDone(await post<InboundAttachResult>(`/inbound-mail/${mail.id}/attach`, { ticketNumber: n, internal }));
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form onSubmit={submit} noValidate className="form-compact" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="card-title">
        {t('inbound.attachTitle')}
      </h2>
      <div className="field">
        <label htmlFor={`${id}-n`}>{t('inbound.ticketNumber')}</label>
        <input
          id={`${id}-n`}
          type="text"
          inputMode="numeric"
          autoComplete="off"
          value={number}
          onChange={(e) => setNumber(e.target.value)}
          aria-invalid={invalid}
          aria-describedby={`${id}-nh`}
        />
        <p id={`${id}-nh`} className="field-hint">
          {mail.ticketNumber !== null ? t('inbound.ticketPrefilled') : t('inbound.ticketHint')}
        </p>
        {invalid ? (
          <p className="field-error" role="alert">
            {t('inbound.ticketRequired')}
          </p>
        ) : null}
      </div>
      <label className="check inbound-check">
        <input
          type="checkbox"
          checked={internal}
          onChange={(e) => setInternal(e.target.checked)}
          aria-describedby={`${id}-ih`}
        />
        {t('inbound.internal')}
      </label>
      <p id={`${id}-ih`} className="field-hint inbound-check-hint">
        {t('inbound.internalHint')}
      </p>
      <ErrorNotice error={error} />
      <button type="submit" className="button button-primary button-block" disabled={busy}>
        {t('inbound.attach')}
      </button>
    </form>
  );
}

function DiscardButton({ mail, onDone }: { mail: InboundDetail; onDone(updated: InboundDetail): void }) {
  const { t } = useI18n();
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);

  async function discard() {
    setBusy(true);
    setError(null);
    try {
      const updated = await post<InboundDetail>(`/inbound-mail/${mail.id}/discard`);
      setAsking(false);
      onDone(updated);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button type="button" className="button button-danger button-block" onClick={() => setAsking(true)}>
        {t('inbound.discard')}
      </button>
      {asking ? (
        <Dialog title={t('inbound.discardConfirmTitle')} onClose={() => setAsking(false)}>
          <p>{t('inbound.discardConfirm')}</p>
          <ErrorNotice error={error} />
          <div className="form-actions">
            <button type="button" className="button" onClick={() => setAsking(false)}>
              {t('common.cancel')}
            </button>
            <button type="button" className="button button-danger" disabled={busy} onClick={() => void discard()}>
              {t('inbound.discardYes')}
            </button>
          </div>
        </Dialog>
      ) : null}
    </>
  );
}

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
  const reason = inboundReasonText(t, m);

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
