import { useEffect, useMemo, useState, type FormEvent } from 'react';
import { patch } from '../../api.ts';
import { CopiesEditor } from '../../components/copies.tsx';
import { ErrorNotice, SuccessNotice, When } from '../../components/ui.tsx';
import { useStaff } from '../../directory.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { useSession } from '../../session.tsx';
import {
  TICKET_STATUSES,
  type Me,
  type Named,
  type StaffMember,
  type Ticket,
  type TicketCopy,
  type TicketStatus,
} from '../../types.ts';
import { useGroups } from './queue-page.tsx';

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
export function TicketDetails({
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
