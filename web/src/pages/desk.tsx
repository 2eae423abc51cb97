import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { get, patch, post, query } from '../api.ts';
import { AttachmentLinks, AttachmentPicker, useAttachments } from '../components/attachments.tsx';
import { MessageComposer } from '../components/composer.tsx';
import { CopiesEditor } from '../components/copies.tsx';
import { MessagingBanner, useMessagingStatus } from '../components/messaging-banner.tsx';
import { Thread } from '../components/thread.tsx';
import { ErrorNotice, Loading, Page, StatusBadge, SuccessNotice, TableCard, When } from '../components/ui.tsx';
import { useGroupList, useStaff } from '../directory.ts';
import { useTicketEvents } from '../events.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';
import {
  TICKET_STATUSES,
  type Me,
  type Message,
  type Named,
  type Page as ApiPage,
  type StaffMember,
  type Ticket,
  type TicketCopy,
  type TicketStatus,
} from '../types.ts';

type View = 'all' | 'mine' | 'unassigned';

/**
 * Groups by name (`GET /groups`): every group to assign a ticket to; to filter the queue, all of them for an admin and
 * a technician's own (the queue shows a technician only their groups' tickets). Until the list arrives (or if it
 * cannot), groups are named from the tickets on screen; a group known by number only is left out, never shown as "#id".
 */
function useGroups(me: Me, seen: Ticket[]): { all: Named[]; filter: Named[] } {
  const list = useGroupList();
  const fromTickets = useMemo(() => {
    const m = new Map<number, string>();
    for (const tk of seen) if (tk.group) m.set(tk.group.id, tk.group.name);
    return m;
  }, [seen]);
  const all: Named[] =
    list.data ?? [...fromTickets].map(([id, name]) => ({ id, name })).sort((a, b) => a.name.localeCompare(b.name));
  if (me.role === 'admin') return { all, filter: all };
  const mine = new Set(me.groupIds ?? []);
  return { all, filter: all.filter((g) => mine.has(g.id)) };
}

export function DeskQueue() {
  const { t } = useI18n();
  const { me } = useSession();
  const { search, navigate } = useRouter();
  const view = (['mine', 'unassigned'].includes(search.get('view') ?? '') ? search.get('view') : 'all') as View;
  const status = (TICKET_STATUSES as readonly string[]).includes(search.get('status') ?? '')
    ? (search.get('status') as TicketStatus)
    : '';
  const groupId = Number(search.get('group')) || '';
  const filterQuery = query({ mine: view === 'mine', unassigned: view === 'unassigned', status, groupId });
  const list = useResource(() => get<ApiPage<Ticket>>(`/tickets${filterQuery}`), [filterQuery]);
  const [extra, setExtra] = useState<{ items: Ticket[]; cursor: string | null } | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);
  useEffect(() => setExtra(null), [filterQuery]);
  useTicketEvents(() => {
    setExtra(null);
    void list.reload();
  });
  const items = useMemo(() => [...(list.data?.items ?? []), ...(extra?.items ?? [])], [list.data, extra]);
  const next = extra ? extra.cursor : list.data?.nextCursor;
  const groups = useGroups(me, items).filter;

  function setFilter(name: string, value: string) {
    const q = new URLSearchParams(search);
    if (value && value !== 'all') q.set(name, value);
    else q.delete(name);
    const s = q.toString();
    navigate(`/desk${s ? `?${s}` : ''}`, { replace: true });
  }

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<Ticket>>(
        `/tickets${filterQuery}${filterQuery ? '&' : '?'}cursor=${encodeURIComponent(next)}`,
      );
      setExtra((e) => ({ items: [...(e?.items ?? []), ...page.items], cursor: page.nextCursor }));
    } catch (e) {
      setActionError(e);
    }
  }

  async function take(ticket: Ticket) {
    setActionError(null);
    try {
      await patch<Ticket>(`/tickets/${ticket.number}`, {
        responsibleId: me.id,
        ...(ticket.status === 'new' ? { status: 'in_progress' } : {}),
      });
      setExtra(null);
      await list.reload();
    } catch (e) {
      setActionError(e);
    }
  }

  return (
    <Page title={t('desk.title')} subtitle={t('desk.subtitle')} wide>
      <form className="toolbar" role="search" aria-label={t('desk.filters')} onSubmit={(e) => e.preventDefault()}>
        <div className="segmented" role="group" aria-label={t('desk.view')}>
          {(['all', 'mine', 'unassigned'] as const).map((v) => (
            <button
              key={v}
              type="button"
              className={view === v ? 'segment segment-on' : 'segment'}
              aria-pressed={view === v}
              onClick={() => setFilter('view', v)}
            >
              {t(`desk.view.${v}`)}
            </button>
          ))}
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-group">{me.role === 'admin' ? t('desk.group') : t('desk.myGroups')}</label>
          <select id="filter-group" value={String(groupId)} onChange={(e) => setFilter('group', e.target.value)}>
            <option value="">{t('desk.anyGroup')}</option>
            {groups.map((g) => (
              <option key={g.id} value={g.id}>
                {g.name}
              </option>
            ))}
          </select>
        </div>
        <div className="field field-inline">
          <label htmlFor="filter-status">{t('ticket.status')}</label>
          <select id="filter-status" value={status} onChange={(e) => setFilter('status', e.target.value)}>
            <option value="">{t('desk.anyStatus')}</option>
            {TICKET_STATUSES.map((s) => (
              <option key={s} value={s}>
                {t(`status.${s}`)}
              </option>
            ))}
          </select>
        </div>
      </form>
      <ErrorNotice error={list.error ?? actionError} />
      <TableCard
        rows={list.data ? items : undefined}
        loading={list.loading}
        empty={t('desk.empty')}
        caption={t('desk.title')}
        headers={[
          t('ticket.number'),
          t('ticket.title'),
          t('ticket.requester'),
          t('ticket.group'),
          t('ticket.responsible'),
          t('ticket.status'),
          t('ticket.lastActivity'),
        ]}
        actions
      >
        {(tk) => (
          <tr key={tk.number}>
            <td className="cell-number">#{tk.number}</td>
            <td className="cell-title">
              <Link to={`/desk/tickets/${tk.number}`}>{tk.title}</Link>
            </td>
            <td>{tk.requester.name}</td>
            <td className="cell-muted">{tk.group?.name ?? '—'}</td>
            <td>
              {tk.responsible ? (
                tk.responsible.id === me.id ? (
                  <strong>{t('desk.you')}</strong>
                ) : (
                  tk.responsible.name
                )
              ) : (
                <span className="cell-muted">{t('desk.nobody')}</span>
              )}
            </td>
            <td>
              <StatusBadge status={tk.status} />
            </td>
            <td className="cell-muted">
              <When iso={tk.lastActivityAt} relative />
            </td>
            <td className="cell-actions">
              {tk.responsible?.id !== me.id ? (
                <button
                  type="button"
                  className="button button-small"
                  onClick={() => void take(tk)}
                  aria-label={t('desk.takeTicket', { number: tk.number })}
                >
                  {t('desk.take')}
                </button>
              ) : null}
            </td>
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

function todayIn(timeZone: string): string {
  try {
    return new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(
      new Date(),
    );
  } catch {
    return new Date().toISOString().slice(0, 10);
  }
}

function NoteComposer({ ticketNumber, onPosted }: { ticketNumber: number; onPosted(): void }) {
  const { t } = useI18n();
  const { me } = useSession();
  const id = useId();
  const [text, setText] = useState('');
  const [minutes, setMinutes] = useState('');
  const [day, setDay] = useState(() => todayIn(me.timeZone));
  const [errors, setErrors] = useState<{ text?: string; minutes?: string }>({});
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attachments = useAttachments();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!text.trim()) found.text = t('composer.empty');
    const m = minutes.trim() === '' ? null : Number(minutes);
    if (m !== null && (!Number.isInteger(m) || m < 0 || m > 44640)) found.minutes = t('note.minutesInvalid');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const files = attachments.files.length > 0 ? { attachments: await attachments.encode() } : {};
      await post(`/tickets/${ticketNumber}/messages`, {
        text,
        internal: true,
        ...(m !== null ? { timeSpentMinutes: m, timeSpentDate: day || null } : {}),
        ...files,
      });
      setText('');
      setMinutes('');
      attachments.clear();
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
        <label htmlFor={`${id}-text`}>{t('note.text')}</label>
        <textarea
          id={`${id}-text`}
          rows={4}
          value={text}
          maxLength={20000}
          onChange={(e) => setText(e.target.value)}
          aria-invalid={!!errors.text}
        />
        {errors.text ? (
          <p className="field-error" role="alert">
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
    </form>
  );
}

interface Assignees {
  /** Staff of the ticket's group (technicians first), then everyone else; `team` is empty without a group. */
  team: Named[];
  others: Named[];
}

/** Who can be responsible for a ticket: the active staff (`GET /staff`), the ticket's group first. */
function useAssignees(me: Me, groupId: number | null): Assignees {
  const staff = useStaff(true);
  if (!staff.data) return { team: [], others: staff.error ? [{ id: me.id, name: me.name }] : [] };
  const rank = (p: StaffMember) => (p.role === 'technician' ? 0 : 1);
  const team =
    groupId === null ? [] : staff.data.filter((p) => p.groupIds.includes(groupId)).sort((a, b) => rank(a) - rank(b));
  const others = staff.data.filter((p) => !team.includes(p));
  const named = (list: StaffMember[]) => list.map((p) => ({ id: p.id, name: p.name }));
  return { team: named(team), others: named(others) };
}

function TicketDetails({
  ticket,
  onSaved,
  onCopiesSaved,
}: {
  ticket: Ticket;
  onSaved(t: Ticket): void;
  onCopiesSaved(copies: TicketCopy[]): void;
}) {
  const { t } = useI18n();
  const { me } = useSession();
  const seen = useMemo(() => [ticket], [ticket]);
  const groups = useGroups(me, seen).all;
  const [status, setStatus] = useState<TicketStatus>(ticket.status);
  const [responsible, setResponsible] = useState(String(ticket.responsible?.id ?? ''));
  const [group, setGroup] = useState(String(ticket.group?.id ?? ''));
  // Colleagues of the group chosen in the form (the ticket's own until it is changed) come first.
  const assignees = useAssignees(me, group === '' ? null : Number(group));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  // The fields follow the ticket's values, not each new copy of it: a live reload that changed nothing (someone's
  // message, a mail sent) must not undo what the technician is choosing.
  useEffect(() => setStatus(ticket.status), [ticket.status]);
  useEffect(() => setResponsible(String(ticket.responsible?.id ?? '')), [ticket.responsible?.id]);
  useEffect(() => setGroup(String(ticket.group?.id ?? '')), [ticket.group?.id]);

  const people = [...assignees.team, ...assignees.others];
  const extra = ticket.responsible && !people.some((p) => p.id === ticket.responsible!.id) ? [ticket.responsible] : [];
  const groupName = groups.find((g) => String(g.id) === group)?.name ?? ticket.group?.name ?? '';
  const option = (p: Named) => (
    <option key={p.id} value={p.id}>
      {p.id === me.id ? t('desk.meName', { name: p.name }) : p.name}
    </option>
  );
  const groupOptions = [...groups];
  if (ticket.group && !groupOptions.some((g) => g.id === ticket.group!.id)) groupOptions.push(ticket.group);

  async function save(changes: Record<string, unknown>) {
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      onSaved(await patch<Ticket>(`/tickets/${ticket.number}`, changes));
      setSaved(true);
    } catch (e) {
      setError(e);
    } finally {
      setBusy(false);
    }
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    const changes: Record<string, unknown> = {};
    if (status !== ticket.status) changes.status = status;
    const r = responsible === '' ? null : Number(responsible);
    if (r !== (ticket.responsible?.id ?? null)) changes.responsibleId = r;
    const g = group === '' ? null : Number(group);
    if (g !== (ticket.group?.id ?? null)) changes.groupId = g;
    if (Object.keys(changes).length === 0) return;
    void save(changes);
  }

  const field = (label: string, value: string | null) =>
    value ? (
      <>
        <dt>{label}</dt>
        <dd>{value}</dd>
      </>
    ) : null;

  return (
    <aside className="side">
      <section className="card" aria-labelledby="work-h">
        <h2 id="work-h" className="card-title">
          {t('desk.work')}
        </h2>
        {ticket.responsible?.id !== me.id ? (
          <button
            type="button"
            className="button button-primary button-block take-button"
            disabled={busy}
            onClick={() =>
              void save({ responsibleId: me.id, ...(ticket.status === 'new' ? { status: 'in_progress' } : {}) })
            }
          >
            {t('desk.takeIt')}
          </button>
        ) : null}
        <form onSubmit={submit} className="form-compact">
          <div className="field">
            <label htmlFor="tk-status">{t('ticket.status')}</label>
            <select id="tk-status" value={status} onChange={(e) => setStatus(e.target.value as TicketStatus)}>
              {TICKET_STATUSES.map((s) => (
                <option key={s} value={s}>
                  {t(`status.${s}`)}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tk-responsible">{t('ticket.responsible')}</label>
            <select id="tk-responsible" value={responsible} onChange={(e) => setResponsible(e.target.value)}>
              <option value="">{t('desk.nobody')}</option>
              {assignees.team.length > 0 ? (
                <>
                  <optgroup label={t('desk.teamOf', { group: groupName })}>{assignees.team.map(option)}</optgroup>
                  <optgroup label={t('desk.otherStaff')}>{[...assignees.others, ...extra].map(option)}</optgroup>
                </>
              ) : (
                [...assignees.others, ...extra].map(option)
              )}
            </select>
          </div>
          <div className="field">
            <label htmlFor="tk-group">{t('ticket.group')}</label>
            <select id="tk-group" value={group} onChange={(e) => setGroup(e.target.value)}>
              <option value="">{t('desk.noGroup')}</option>
              {groupOptions.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
          </div>
          <ErrorNotice error={error} />
          {saved ? <SuccessNotice>{t('common.saved')}</SuccessNotice> : null}
          <button type="submit" className="button button-block" disabled={busy}>
            {t('desk.saveChanges')}
          </button>
        </form>
      </section>
      <CopiesEditor ticketNumber={ticket.number} copies={ticket.copies ?? []} onSaved={onCopiesSaved} />
      <section className="card" aria-labelledby="details-h">
        <h2 id="details-h" className="card-title">
          {t('desk.details')}
        </h2>
        <dl className="details">
          {field(t('ticket.requester'), ticket.requester.name)}
          {field(t('ticket.contact'), ticket.contactName)}
          {field(t('ticket.registeredBy'), ticket.registeredBy.name)}
          {field(t('ticket.demandType'), ticket.demandType)}
          {field(t('ticket.activity'), ticket.activity)}
          {field(t('ticket.relatedService'), ticket.relatedService)}
          {field(t('ticket.portfolio'), ticket.portfolio)}
          {field(t('ticket.category'), ticket.category)}
          <dt>{t('ticket.created')}</dt>
          <dd>
            <When iso={ticket.createdAt} />
          </dd>
          <dt>{t('ticket.lastActivity')}</dt>
          <dd>
            <When iso={ticket.lastActivityAt} />
          </dd>
        </dl>
      </section>
    </aside>
  );
}

export function DeskTicket({ number }: { number: number }) {
  const { t } = useI18n();
  const { me } = useSession();
  const ticket = useResource(() => get<Ticket>(`/tickets/${number}`), [number]);
  const thread = useResource(() => get<{ items: Message[] }>(`/tickets/${number}/messages`), [number]);
  const status = useMessagingStatus();
  const [tab, setTab] = useState<'message' | 'note'>('message');
  const [current, setCurrent] = useState<Ticket | undefined>(undefined);
  useEffect(() => setCurrent(ticket.data), [ticket.data]);
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
            {thread.data ? <Thread messages={thread.data.items} meId={me.id} staff /> : <Loading />}
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
              />
            </div>
            <div role="tabpanel" id="panel-note" aria-labelledby={tabId('note')} hidden={tab !== 'note'}>
              <NoteComposer ticketNumber={tk.number} onPosted={refresh} />
            </div>
          </div>
        </div>
        <TicketDetails
          ticket={tk}
          // PATCH answers the ticket without its attachments and copies: keep those shown.
          onSaved={(updated) =>
            setCurrent((c) => ({
              ...updated,
              attachments: updated.attachments ?? c?.attachments ?? ticket.data?.attachments,
              copies: updated.copies ?? c?.copies ?? ticket.data?.copies,
            }))
          }
          onCopiesSaved={(copies) => setCurrent((c) => (c ? { ...c, copies } : c))}
        />
      </div>
    </Page>
  );
}
