import { useEffect, useState, type FormEvent, type RefObject } from 'react';
import { ApiError, del, get, post, put } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { useRouter } from '../../../router.tsx';
import type { EmailTemplate } from '../../../types.ts';
import type { Field } from './scan-keys.ts';

export interface Draft {
  name: string;
  subject: string;
  html: string;
  text: string;
  active: boolean;
}
const EMPTY: Draft = { name: '', subject: '', html: '', text: '', active: true };

/**
 * The template being edited: the stored one (none for a new template), the draft in the form, saving and deleting it.
 * On a refused key, saving focuses the field of `refs` the server named.
 */
export function useTemplateDraft(id: number | null, refs: Record<Field, RefObject<HTMLElement | null>>) {
  const { t } = useI18n();
  const { navigate } = useRouter();
  const stored = useResource(
    () => (id === null ? Promise.resolve(null) : get<EmailTemplate>(`/admin/email-templates/${id}`)),
    [id],
  );
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [missingName, setMissingName] = useState(false);

  useEffect(() => {
    if (stored.data)
      setDraft({
        name: stored.data.name,
        subject: stored.data.subject,
        html: stored.data.html,
        text: stored.data.text ?? '',
        active: stored.data.active,
      });
  }, [stored.data]);

  async function save(event: FormEvent) {
    event.preventDefault();
    setSaved(false);
    setError(null);
    if (!draft.name.trim()) {
      setMissingName(true);
      return;
    }
    setMissingName(false);
    setBusy(true);
    const body = {
      name: draft.name.trim(),
      subject: draft.subject,
      html: draft.html,
      text: draft.text.trim() ? draft.text : null,
      active: draft.active,
    };
    try {
      if (id === null) {
        const created = await post<EmailTemplate>('/admin/email-templates', body);
        navigate(`/admin/templates/${created.id}`, { replace: true });
      } else {
        await put<EmailTemplate>(`/admin/email-templates/${id}`, body);
        setSaved(true);
        void stored.reload();
      }
    } catch (e) {
      setError(e);
      if (e instanceof ApiError && e.code === 'TEMPLATE_UNKNOWN_KEY' && typeof e.details?.field === 'string') {
        const f = e.details.field as Field;
        refs[f]?.current?.focus();
      }
    } finally {
      setBusy(false);
    }
  }

  async function remove() {
    if (id === null || !window.confirm(t('templates.confirmDelete', { name: draft.name }))) return;
    try {
      await del(`/admin/email-templates/${id}`);
      navigate('/admin/templates');
    } catch (e) {
      setError(e);
    }
  }

  const dirty =
    !!stored.data &&
    (draft.name !== stored.data.name ||
      draft.subject !== stored.data.subject ||
      draft.html !== stored.data.html ||
      draft.text !== (stored.data.text ?? '') ||
      draft.active !== stored.data.active);

  return { stored, draft, setDraft, error, saved, busy, missingName, save, remove, dirty };
}
