import { useEffect, useMemo, useState, type FormEvent, type RefObject } from 'react';
import { ApiError, del, get, post, put } from '../../../api.ts';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { useRouter } from '../../../router.tsx';
import type { EmailTemplate } from '../../../types.ts';
import type { Field } from './scan-keys.ts';
import {
  bodyOf,
  draftOf,
  emptyDraft,
  findVariant,
  sameLocale,
  variantOfError,
  type Draft,
  type VariantDraft,
} from './variant-draft.ts';

export type { Draft } from './variant-draft.ts';

/**
 * The template being edited: the stored one (none for a new template), the draft in the form with its variants and
 * the one whose tab is selected, saving and deleting it. On a refused save naming a variant, that variant's tab is
 * selected, and on a refused key the field of `refs` the server named takes the focus.
 */
export function useTemplateDraft(id: number | null, refs: Record<Field, RefObject<HTMLElement | null>>) {
  const { t, locale } = useI18n();
  const { navigate } = useRouter();
  const stored = useResource(
    () => (id === null ? Promise.resolve(null) : get<EmailTemplate>(`/admin/email-templates/${id}`)),
    [id],
  );
  const storedDraft = useMemo(() => (stored.data ? draftOf(stored.data) : null), [stored.data]);
  const [draft, setDraft] = useState<Draft>(() => emptyDraft(locale));
  const [selected, setSelected] = useState<string>(draft.defaultLocale);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [missingName, setMissingName] = useState(false);

  useEffect(() => {
    if (!storedDraft) return;
    setDraft(storedDraft);
    // Stay on the selected language when it is still there (after a save), else show the default.
    setSelected((s) => findVariant(storedDraft, s)?.locale ?? storedDraft.defaultLocale);
  }, [storedDraft]);

  const current: VariantDraft = findVariant(draft, selected) ?? draft.variants[0]!;

  /** Changes the selected variant's subject or bodies. */
  function setVariant(patch: Partial<Omit<VariantDraft, 'locale'>>) {
    setDraft((d) => ({
      ...d,
      variants: d.variants.map((v) => (sameLocale(v.locale, current.locale) ? { ...v, ...patch } : v)),
    }));
  }

  /** A new variant starts as a copy of the default, to be translated; its tab is selected. */
  function addVariant(tag: string) {
    setDraft((d) => {
      const main = findVariant(d, d.defaultLocale) ?? d.variants[0]!;
      return { ...d, variants: [...d.variants, { ...main, locale: tag }] };
    });
    setSelected(tag);
  }

  function removeVariant(tag: string) {
    if (sameLocale(tag, draft.defaultLocale)) return;
    setDraft((d) => ({ ...d, variants: d.variants.filter((v) => !sameLocale(v.locale, tag)) }));
    setSelected(draft.defaultLocale);
  }

  function makeDefault(tag: string) {
    setDraft((d) => ({ ...d, defaultLocale: findVariant(d, tag)?.locale ?? d.defaultLocale }));
  }

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
    const body = bodyOf(draft);
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
      const named = variantOfError(e, draft);
      if (named) setSelected(named);
      if (e instanceof ApiError && typeof e.details?.field === 'string' && e.details.field in refs) {
        const f = e.details.field as Field;
        // After the named variant's fields are shown.
        requestAnimationFrame(() => refs[f]?.current?.focus());
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

  return {
    stored,
    storedDraft,
    draft,
    setDraft,
    current,
    select: setSelected,
    setVariant,
    addVariant,
    removeVariant,
    makeDefault,
    error,
    saved,
    busy,
    missingName,
    save,
    remove,
  };
}
