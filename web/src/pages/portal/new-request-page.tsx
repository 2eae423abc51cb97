import { useEffect, useState, type FormEvent } from 'react';
import { post } from '../../api.ts';
import { AttachmentPicker } from '../../components/attachment-picker.tsx';
import { useAttachments } from '../../components/use-attachments.ts';
import { ErrorNotice, Loading, Page } from '../../components/ui.tsx';
import { useGroupList } from '../../directory.ts';
import { useI18n } from '../../i18n/i18n.tsx';
import { Link, useRouter } from '../../router.tsx';
import type { Ticket } from '../../types.ts';
import { MAX_LENGTH } from '../../api/limits.ts';

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
