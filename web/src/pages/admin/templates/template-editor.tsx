import { useMemo, useRef, useState } from 'react';
import { get } from '../../../api.ts';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import type { Parameter, TemplateKey } from '../../../types.ts';
import { AddVariantDialog } from './add-variant-dialog.tsx';
import { KeyPalette } from './key-palette.tsx';
import { RemoveVariantDialog } from './remove-variant-dialog.tsx';
import { type Field, scanKeys } from './scan-keys.ts';
import { TemplatePreview } from './template-preview.tsx';
import { useTemplateDraft } from './use-template-draft.ts';
import { sameLocale, variantOfError, variantState } from './variant-draft.ts';
import { VariantPanel } from './variant-panel.tsx';
import { VariantTabs, variantTabId } from './variant-tabs.tsx';
import { MAX_LENGTH } from '../../../api/limits.ts';

export function TemplateEditor({ id }: { id: number | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const refs = {
    subject: useRef<HTMLInputElement>(null),
    html: useRef<HTMLTextAreaElement>(null),
    text: useRef<HTMLTextAreaElement>(null),
  };
  const lastField = useRef<Field>('html');
  const editor = useTemplateDraft(id, refs);
  const { stored, storedDraft, draft, setDraft, current, error, saved, busy, missingName, save, remove } = editor;
  const [dialog, setDialog] = useState<'add' | 'remove' | null>(null);
  const keys = useResource(
    () => get<{ items: TemplateKey[] }>(`/admin/template-keys?locale=${encodeURIComponent(i18n.locale)}`),
    [i18n.locale],
  );
  const p417 = useResource(() => get<Parameter>('/admin/parameters/417'), []);

  const known = useMemo(() => new Set((keys.data?.items ?? []).flatMap((k) => [k.name, ...k.aliases])), [keys.data]);
  const problems = useMemo(
    () => (keys.data ? (['subject', 'html', 'text'] as const).flatMap((f) => scanKeys(f, current[f], known)) : []),
    [current, known, keys.data],
  );

  function insertKey(name: string) {
    const field = lastField.current;
    const el = refs[field].current;
    const token = `\${${name}}`;
    const value = current[field];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    editor.setVariant({ [field]: value.slice(0, start) + token + value.slice(end) });
    requestAnimationFrame(() => {
      if (!el) return;
      el.focus();
      el.setSelectionRange(start + token.length, start + token.length);
    });
  }

  if (id !== null && !stored.data) {
    return (
      <Page title={t('templates.edit')}>
        <ErrorNotice error={stored.error} />
        {stored.loading ? <Loading /> : null}
      </Page>
    );
  }

  const inUse = id !== null && p417.data?.value === id;
  // A refused save that names a language is told in that language's tab; any other below the form.
  const errorInPanel = error !== null && sameLocale(variantOfError(error, draft) ?? '', current.locale);
  const isDefault = sameLocale(current.locale, draft.defaultLocale);

  return (
    <Page
      wide
      title={id === null ? t('templates.new') : t('templates.editNamed', { name: stored.data?.name ?? '' })}
      subtitle={inUse ? t('templates.inUseLong') : undefined}
      actions={
        <Link to="/admin/templates" className="button">
          {t('templates.back')}
        </Link>
      }
    >
      <div className="editor-layout">
        <form className="card form editor-form" onSubmit={save} noValidate aria-label={t('templates.editorLabel')}>
          <div className="field-row">
            <div className="field field-grow">
              <label htmlFor="tpl-name">{t('templates.name')}</label>
              <input
                id="tpl-name"
                value={draft.name}
                maxLength={MAX_LENGTH.templateName}
                onChange={(e) => setDraft({ ...draft, name: e.target.value })}
                aria-invalid={missingName}
              />
              {missingName ? <p className="field-error">{t('validation.required')}</p> : null}
            </div>
            <label className="check check-field">
              <input
                type="checkbox"
                checked={draft.active}
                onChange={(e) => setDraft({ ...draft, active: e.target.checked })}
              />
              {t('templates.active')}
            </label>
          </div>
          <VariantTabs
            variants={draft.variants}
            selected={current.locale}
            defaultLocale={draft.defaultLocale}
            onSelect={editor.select}
            onAdd={() => setDialog('add')}
          />
          <VariantPanel
            variant={current}
            isDefault={isDefault}
            refs={refs}
            problems={problems}
            error={errorInPanel ? error : null}
            onFocusField={(f) => (lastField.current = f)}
            onChange={editor.setVariant}
            onMakeDefault={() => editor.makeDefault(current.locale)}
            onRemove={() => setDialog('remove')}
          />
          {errorInPanel ? null : <ErrorNotice error={error} title={t('templates.notSaved')} />}
          {saved ? <SuccessNotice>{t('templates.saved')}</SuccessNotice> : null}
          <div className="form-actions">
            {id !== null ? (
              <button
                type="button"
                className="button button-danger"
                onClick={() => void remove()}
                disabled={inUse}
                title={inUse ? t('templates.inUseLong') : undefined}
              >
                {t('common.delete')}
              </button>
            ) : null}
            <span className="spacer" />
            <button type="submit" className="button button-primary" disabled={busy}>
              {t('common.save')}
            </button>
          </div>
        </form>

        <KeyPalette keys={keys.data?.items ?? []} error={keys.error} onInsert={insertKey} />

        <TemplatePreview id={id} name={draft.name} variant={current} state={variantState(storedDraft, current)} />
      </div>
      {dialog === 'add' ? (
        <AddVariantDialog
          existing={draft.variants.map((v) => v.locale)}
          onAdd={(tag) => {
            editor.addVariant(tag);
            setDialog(null);
          }}
          onClose={() => setDialog(null)}
        />
      ) : null}
      {dialog === 'remove' && !isDefault ? (
        <RemoveVariantDialog
          tag={current.locale}
          onConfirm={() => {
            editor.removeVariant(current.locale);
            setDialog(null);
            // The button that opened the dialog is gone with the variant: the focus goes to the default's tab.
            requestAnimationFrame(() => document.getElementById(variantTabId(draft.defaultLocale))?.focus());
          }}
          onClose={() => setDialog(null)}
        />
      ) : null}
    </Page>
  );
}
