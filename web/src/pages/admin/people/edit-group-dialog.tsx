import { useState, type FormEvent } from 'react';
import { patch, put } from '../../../api.ts';
import { SignatureField } from '../../../components/signature-field.tsx';
import { signatureProblem } from '../../../components/signature-check.ts';
import { useOwnSignature } from '../../../components/use-own-signature.ts';
import { Dialog, ErrorNotice } from '../../../components/ui.tsx';
import { useI18n } from '../../../i18n/i18n.tsx';
import { type CopiesMode, type Group, type User } from '../../../types.ts';
import { CopiesModeField } from './copies-mode-field.tsx';
import { MAX_LENGTH } from '../../../api/limits.ts';

/** Renames a group, sets its members, how it sends copies and its signature. */
export function EditGroupDialog({
  group,
  everyone,
  onSaved,
  onClose,
}: {
  group: Group;
  everyone: User[];
  onSaved(g: Group): void;
  onClose(): void;
}) {
  const { t } = useI18n();
  const [name, setName] = useState(group.name);
  const [members, setMembers] = useState<number[]>([...group.memberIds]);
  const [signature, setSignature] = useState(group.signature ?? '');
  const [copiesMode, setCopiesMode] = useState<CopiesMode>(group.copiesMode);
  // The key names a signature may use, for the live check (the same list a person's signature is checked with).
  const names = useOwnSignature().data;
  const [invalid, setInvalid] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  // Members who are no longer staff (now requesters, say) stay listed, so that saving does not drop them silently.
  const people = everyone.filter((u) => u.role !== 'requester' || group.memberIds.includes(u.id));

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!name.trim()) {
      setInvalid(true);
      return;
    }
    setInvalid(false);
    const changes: Record<string, unknown> = {};
    if (name.trim() !== group.name) changes.name = name.trim();
    const sorted = (ids: number[]) => [...ids].sort((a, b) => a - b).join(',');
    if (sorted(members) !== sorted(group.memberIds)) changes.memberIds = members;
    if (copiesMode !== group.copiesMode) changes.copiesMode = copiesMode;
    const signed = signature.trim() ? signature : null;
    const signatureChanged = signed !== group.signature;
    if (signatureChanged && names && signatureProblem(t, signature, names)) return; // its sentence is under the box
    if (Object.keys(changes).length === 0 && !signatureChanged) {
      onClose();
      return;
    }
    setBusy(true);
    setError(null);
    try {
      let saved = group;
      if (signatureChanged) saved = await put<Group>(`/admin/groups/${group.id}/signature`, { signature: signed });
      if (Object.keys(changes).length > 0) saved = await patch<Group>(`/admin/groups/${group.id}`, changes);
      onSaved(saved);
    } catch (e) {
      setError(e);
      setBusy(false);
    }
  }

  return (
    <Dialog title={t('groups.edit', { name: group.name })} onClose={onClose}>
      <form className="form" onSubmit={submit} noValidate aria-label={t('groups.edit', { name: group.name })}>
        <div className="field">
          <label htmlFor="edit-group-name">{t('groups.name')}</label>
          <input
            id="edit-group-name"
            value={name}
            maxLength={MAX_LENGTH.groupName}
            onChange={(e) => setName(e.target.value)}
            aria-invalid={invalid}
            aria-describedby={invalid ? 'edit-group-name-err' : undefined}
          />
          {invalid ? (
            <p className="field-error" id="edit-group-name-err">
              {t('validation.required')}
            </p>
          ) : null}
        </div>
        {people.length > 0 ? (
          <fieldset className="fieldset">
            <legend>{t('groups.members')}</legend>
            <div className="check-grid">
              {people.map((u) => (
                <label key={u.id} className="check">
                  <input
                    type="checkbox"
                    checked={members.includes(u.id)}
                    onChange={(e) =>
                      setMembers(e.target.checked ? [...members, u.id] : members.filter((x) => x !== u.id))
                    }
                  />
                  {u.name}
                </label>
              ))}
            </div>
          </fieldset>
        ) : null}
        <CopiesModeField value={copiesMode} onChange={setCopiesMode} />
        <SignatureField
          id="edit-group-signature"
          label={t('signature.groupLabel')}
          hint={t('signature.groupHint')}
          value={signature}
          onChange={setSignature}
          names={names}
        />
        <ErrorNotice error={error} />
        <div className="form-actions">
          <button type="button" className="button" onClick={onClose}>
            {t('common.cancel')}
          </button>
          <button type="submit" className="button button-primary" disabled={busy}>
            {t('common.save')}
          </button>
        </div>
      </form>
    </Dialog>
  );
}
