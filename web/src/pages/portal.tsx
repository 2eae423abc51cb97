import { useEffect, useState, type FormEvent } from 'react';
import { get, post, query } from '../api.ts';
import { AttachmentLinks, AttachmentPicker, useAttachments } from '../components/attachments.tsx';
import { MessageComposer } from '../components/composer.tsx';
import { CopiesLine } from '../components/copies.tsx';
import { MessagingBanner, useMessagingStatus } from '../components/messaging-banner.tsx';
import { Thread } from '../components/thread.tsx';
import { Empty, ErrorNotice, Loading, Page, StatusBadge, TableCard, When } from '../components/ui.tsx';
import { useGroupList } from '../directory.ts';
import { useTicketEvents } from '../events.ts';
import { useResource } from '../hooks.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { Link, useRouter } from '../router.tsx';
import { useSession } from '../session.tsx';
import type { Message, Page as ApiPage, Ticket } from '../types.ts';
import { MAX_LENGTH } from '../api/limits.ts';

/** Smart Portal: the requester's own tickets, newest activity first as the API gives them. */
export function PortalList() {
  const { t } = useI18n();
  const [pages, setPages] = useState<Ticket[][]>([]);
  const first = useResource(() => get<ApiPage<Ticket>>('/tickets'), []);
  const [cursor, setCursor] = useState<string | null | undefined>(undefined);
  const [moreError, setMoreError] = useState<unknown>(null);
  useTicketEvents(() => {
    setPages([]);
    setCursor(undefined);
    void first.reload();
  });
  const items = [...(first.data?.items ?? []), ...pages.flat()];
  const next = cursor === undefined ? first.data?.nextCursor : cursor;

  async function more() {
    if (!next) return;
    try {
      const page = await get<ApiPage<Ticket>>(`/tickets${query({ cursor: next })}`);
      setPages((p) => [...p, page.items]);
      setCursor(page.nextCursor);
    } catch (e) {
      setMoreError(e);
    }
  }

  return (
    <Page
      title={t('portal.title')}
      subtitle={t('portal.subtitle')}
      actions={
        <Link to="/portal/new" className="button button-primary">
          {t('portal.newRequest')}
        </Link>
      }
    >
      <ErrorNotice error={first.error} />
      <TableCard
        rows={first.data ? items : undefined}
        loading={first.loading}
        empty={
          <>
            <Empty>{t('portal.empty')}</Empty>
            <Link to="/portal/new" className="button button-primary">
              {t('portal.newRequest')}
            </Link>
          </>
        }
        emptyClassName="card empty-card"
        caption={t('portal.title')}
        headers={[t('ticket.number'), t('ticket.title'), t('ticket.status'), t('ticket.lastActivity')]}
      >
        {(ticket) => (
          <tr key={ticket.number}>
            <td className="cell-number">#{ticket.number}</td>
            <td className="cell-title">
              <Link to={`/portal/tickets/${ticket.number}`}>{ticket.title}</Link>
            </td>
            <td>
              <StatusBadge status={ticket.status} />
            </td>
            <td className="cell-muted">
              <When iso={ticket.lastActivityAt} relative />
            </td>
          </tr>
        )}
      </TableCard>
      <ErrorNotice error={moreError} />
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

export function PortalNew() {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const [title, setTitle] = useState('');
  const [description, setDescription] = useState('');
  const groups = useGroupList();
  const teams = groups.data ?? [];
  const [team, setTeam] = useState('');
  const [errors, setErrors] = useState<{ title?: string; description?: string; team?: string }>({});
  // One team: it is the only choice, so it is chosen.
  useEffect(() => {
    if (groups.data?.length === 1) setTeam(String(groups.data[0]!.id));
  }, [groups.data]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const attachments = useAttachments();

  async function submit(event: FormEvent) {
    event.preventDefault();
    const found: typeof errors = {};
    if (!title.trim()) found.title = t('validation.required');
    else if (title.trim().length > MAX_LENGTH.ticketTitle)
      found.title = t('validation.maxLength', { max: MAX_LENGTH.ticketTitle });
    if (!description.trim()) found.description = t('validation.required');
    if (teams.length > 0 && !team) found.team = t('portal.teamRequired');
    setErrors(found);
    if (Object.keys(found).length > 0) return;
    setBusy(true);
    setError(null);
    try {
      const files = attachments.files.length > 0 ? { attachments: await attachments.encode() } : {};
      const ticket = await post<Ticket>('/tickets', {
        title: title.trim(),
        description,
        ...(team ? { groupId: Number(team) } : {}),
        ...files,
      });
      navigate(`/portal/tickets/${ticket.number}`);
    } catch (e) {
      setError(attachments.explain(e));
      setBusy(false);
    }
  }

  return (
    <Page title={t('portal.newRequest')} subtitle={t('portal.newLead')}>
      <form className="card form" onSubmit={submit} noValidate>
        {teams.length > 0 ? (
          <div className="field">
            <label htmlFor="new-team">{t('portal.team')}</label>
            <select
              id="new-team"
              value={team}
              required
              onChange={(e) => {
                setTeam(e.target.value);
                setErrors((found) => ({ ...found, team: undefined }));
              }}
              aria-invalid={!!errors.team}
              aria-describedby={errors.team ? 'new-team-err' : 'new-team-hint'}
            >
              {teams.length > 1 ? <option value="">{t('portal.chooseTeam')}</option> : null}
              {teams.map((g) => (
                <option key={g.id} value={g.id}>
                  {g.name}
                </option>
              ))}
            </select>
            {errors.team ? (
              <p className="field-error" id="new-team-err">
                {errors.team}
              </p>
            ) : (
              <p className="field-hint" id="new-team-hint">
                {t('portal.teamHint')}
              </p>
            )}
          </div>
        ) : groups.loading && !groups.data && !groups.error ? (
          <Loading />
        ) : null}
        <div className="field">
          <label htmlFor="new-title">{t('ticket.title')}</label>
          <input
            id="new-title"
            value={title}
            maxLength={MAX_LENGTH.ticketTitle}
            onChange={(e) => {
              setTitle(e.target.value);
              setErrors((found) => ({ ...found, title: undefined }));
            }}
            aria-invalid={!!errors.title}
            aria-describedby={errors.title ? 'new-title-err' : undefined}
          />
          {errors.title ? (
            <p className="field-error" id="new-title-err">
              {errors.title}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor="new-description">{t('ticket.description')}</label>
          <textarea
            id="new-description"
            rows={8}
            value={description}
            maxLength={MAX_LENGTH.ticketDescription}
            onChange={(e) => {
              setDescription(e.target.value);
              setErrors((found) => ({ ...found, description: undefined }));
            }}
            aria-invalid={!!errors.description}
            aria-describedby={errors.description ? 'new-description-err' : 'new-description-hint'}
          />
          {errors.description ? (
            <p className="field-error" id="new-description-err">
              {errors.description}
            </p>
          ) : (
            <p className="field-hint" id="new-description-hint">
              {t('portal.descriptionHint')}
            </p>
          )}
        </div>
        <AttachmentPicker attachments={attachments} disabled={busy} />
        <ErrorNotice error={error} />
        <div className="form-actions">
          <Link to="/portal" className="button">
            {t('common.cancel')}
          </Link>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('portal.submitRequest')}
          </button>
        </div>
      </form>
    </Page>
  );
}

export function PortalTicket({ number }: { number: number }) {
  const { t, dateTime } = useI18n();
  const { me } = useSession();
  const ticket = useResource(() => get<Ticket>(`/tickets/${number}`), [number]);
  const thread = useResource(() => get<{ items: Message[] }>(`/tickets/${number}/messages`), [number]);
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
        {thread.data ? <Thread messages={thread.data.items} meId={me.id} staff={false} /> : <Loading />}
      </section>
      <MessagingBanner status={status.data} />
      {closed ? (
        <p className="notice notice-info">{t('portal.closed')}</p>
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
