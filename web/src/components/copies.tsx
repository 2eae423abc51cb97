import { useEffect, useId, useMemo, useState, type FormEvent } from 'react';
import { ApiError, put } from '../api.ts';
import { useI18n } from '../i18n/i18n.tsx';
import { MAX_COPIES, type TicketCopy } from '../types.ts';
import { ErrorNotice, SuccessNotice } from './ui.tsx';
import { MAX_LENGTH } from '../api/limits.ts';

/** One line of the list being edited: a person already copied, or an address added here and not saved yet. */
interface Entry {
  key: string;
  email: string;
  /** The user's name; for a new address, the name typed with it (may be empty). */
  name: string;
  isNew: boolean;
}

const normal = (email: string) => email.trim().toLowerCase();

/** Staff see every copy's address; a copy without one (not expected here) cannot be sent back and is left out. */
function entriesOf(copies: readonly TicketCopy[]): Entry[] {
  return copies
    .filter((c) => c.email !== null)
    .map((c) => ({ key: `u${c.id}`, email: c.email!, name: c.name, isNew: false }));
}

/**
 * "Copied (Cc)" in the desk's side panel: the people the ticket copies, a remove button each, an address (and a name
 * for someone who is no user yet) to add, and Save, which sends the whole list (`PUT /tickets/{n}/copies`) and shows
 * what the server kept. Nothing changes until Save.
 */
export function CopiesEditor({
  ticketNumber,
  copies,
  onSaved,
}: {
  ticketNumber: number;
  copies: readonly TicketCopy[];
  onSaved(items: TicketCopy[]): void;
}) {
  const { t } = useI18n();
  const id = useId();
  // The list follows the server's copies, not each new copy of the ticket: a live reload that changed nothing
  // must not undo what the technician is editing.
  const serverKey = copies.map((c) => `${c.id}:${c.email ?? ''}:${c.name}`).join('|');
  // eslint-disable-next-line react-hooks/exhaustive-deps -- keyed by the copies' content, as said above
  const server = useMemo(() => entriesOf(copies), [serverKey]);
  const [draft, setDraft] = useState<Entry[]>(server);
  const [email, setEmail] = useState('');
  const [name, setName] = useState('');
  const [fieldError, setFieldError] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [counter, setCounter] = useState(0);
  useEffect(() => setDraft(server), [server]);

  const full = draft.length >= MAX_COPIES;
  const changed = draft.length !== server.length || draft.some((e, i) => normal(e.email) !== normal(server[i]!.email));

  /** The address in the inputs as a new entry, or why it cannot be one (null: the inputs are empty). */
  function pending(): { entry: Entry } | { problem: string } | null {
    const address = email.trim();
    if (!address) return name.trim() ? { problem: t('copies.emailRequired') } : null;
    if (draft.some((e) => normal(e.email) === normal(address)))
      return { problem: t('copies.duplicate', { email: address }) };
    if (full) return { problem: t('copies.max', { max: MAX_COPIES }) };
    return { entry: { key: `n${counter}`, email: address, name: name.trim(), isNew: true } };
  }

  function add(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    const p = pending();
    if (p === null) {
      setFieldError(t('copies.emailRequired'));
      return;
    }
    if ('problem' in p) {
      setFieldError(p.problem);
      return;
    }
    setFieldError(null);
    setDraft((d) => [...d, p.entry]);
    setCounter((n) => n + 1);
    setEmail('');
    setName('');
  }

  function remove(key: string) {
    setSaved(false);
    setDraft((d) => d.filter((e) => e.key !== key));
  }

  async function save() {
    // An address typed but not added yet goes with the list: Save means "this is who is copied".
    const p = pending();
    if (p && 'problem' in p) {
      setFieldError(p.problem);
      return;
    }
    setFieldError(null);
    const list = p ? [...draft, p.entry] : draft;
    setBusy(true);
    setError(null);
    setSaved(false);
    try {
      const answer = await put<{ items: TicketCopy[] }>(`/tickets/${ticketNumber}/copies`, {
        copies: list.map((e) => (e.isNew ? { email: e.email, name: e.name || null } : { email: e.email })),
      });
      setDraft(entriesOf(answer.items));
      setEmail('');
      setName('');
      setSaved(true);
      onSaved(answer.items);
    } catch (e) {
      // "Not an email address" names the entry by its place in the list: say it in the user's language.
      if (
        e instanceof ApiError &&
        e.code === 'COPY_INVALID' &&
        typeof e.details?.index === 'number' &&
        list[e.details.index]
      ) {
        setError(
          new ApiError(e.status, e.code, t('copies.notEmail', { address: list[e.details.index]!.email }), e.details),
        );
      } else {
        setError(e);
      }
    } finally {
      setBusy(false);
    }
  }

  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`} className="card-title">
        {t('copies.title')}
      </h2>
      <p className="field-hint copies-hint">{t('copies.hint')}</p>
      {draft.length > 0 ? (
        <ul className="copies-list" aria-label={t('copies.listLabel')}>
          {draft.map((e) => (
            <li key={e.key} className="copies-item" data-testid="copy">
              <span className="copies-who">
                {e.name ? <span className="copies-name">{e.name}</span> : null}
                <span className="copies-email">{e.email}</span>
              </span>
              <button
                type="button"
                className="button button-small"
                disabled={busy}
                onClick={() => remove(e.key)}
                aria-label={t('copies.removeNamed', { name: e.name || e.email })}
              >
                {t('copies.remove')}
              </button>
            </li>
          ))}
        </ul>
      ) : (
        <p className="empty copies-empty">{t('copies.none')}</p>
      )}
      <form className="form-compact copies-add" onSubmit={add} noValidate>
        <div className="field">
          <label htmlFor={`${id}-email`}>{t('copies.email')}</label>
          <input
            id={`${id}-email`}
            type="email"
            autoComplete="off"
            maxLength={MAX_LENGTH.copyEmail}
            value={email}
            disabled={busy}
            onChange={(e) => {
              setEmail(e.target.value);
              setFieldError(null);
            }}
            aria-invalid={!!fieldError}
            aria-describedby={fieldError ? `${id}-err` : undefined}
          />
          {fieldError ? (
            <p className="field-error" id={`${id}-err`} role="alert">
              {fieldError}
            </p>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={`${id}-name`}>{t('copies.name')}</label>
          <input
            id={`${id}-name`}
            autoComplete="off"
            maxLength={MAX_LENGTH.copyName}
            value={name}
            disabled={busy}
            onChange={(e) => setName(e.target.value)}
            aria-describedby={`${id}-name-hint`}
          />
          <p className="field-hint" id={`${id}-name-hint`}>
            {t('copies.nameHint')}
          </p>
        </div>
        <button type="submit" className="button button-small" disabled={busy || full}>
          {t('copies.add')}
        </button>
        {full ? <p className="field-hint">{t('copies.max', { max: MAX_COPIES })}</p> : null}
      </form>
      <ErrorNotice error={error} />
      {saved ? <SuccessNotice>{t('common.saved')}</SuccessNotice> : null}
      {changed ? (
        <p className="field-hint copies-unsaved" role="status">
          {t('copies.unsaved')}
        </p>
      ) : null}
      <button type="button" className="button button-block" disabled={busy} onClick={() => void save()}>
        {t('copies.save')}
      </button>
    </section>
  );
}
