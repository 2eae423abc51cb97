import { useMemo, useRef } from 'react';
import { get } from '../../../api.ts';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import type { Parameter, TemplateKey } from '../../../types.ts';
import { KeyPalette } from './key-palette.tsx';
import { type Field, type KeyProblem, scanKeys } from './scan-keys.ts';
import { TemplatePreview } from './template-preview.tsx';
import { useTemplateDraft } from './use-template-draft.ts';
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
  const { stored, draft, setDraft, error, saved, busy, missingName, save, remove, dirty } = useTemplateDraft(id, refs);
  const keys = useResource(
    () => get<{ items: TemplateKey[] }>(`/admin/template-keys?locale=${encodeURIComponent(i18n.locale)}`),
    [i18n.locale],
  );
  const p417 = useResource(() => get<Parameter>('/admin/parameters/417'), []);

  const known = useMemo(() => new Set((keys.data?.items ?? []).flatMap((k) => [k.name, ...k.aliases])), [keys.data]);
  const problems = useMemo(
    () => (keys.data ? (['subject', 'html', 'text'] as const).flatMap((f) => scanKeys(f, draft[f], known)) : []),
    [draft, known, keys.data],
  );

  function insertKey(name: string) {
    const field = lastField.current;
    const el = refs[field].current;
    const token = `\${${name}}`;
    const value = draft[field];
    const start = el?.selectionStart ?? value.length;
    const end = el?.selectionEnd ?? value.length;
    setDraft({ ...draft, [field]: value.slice(0, start) + token + value.slice(end) });
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

  const fieldProblems = (f: Field) => problems.filter((p) => p.field === f);
  const problemText = (p: KeyProblem) =>
    p.key === null
      ? t('templates.unclosed', { line: p.line, column: p.column })
      : t('templates.unknownKeyLive', { key: `\${${p.key}}`, line: p.line, column: p.column });
  const problemList = (f: Field) =>
    fieldProblems(f).length > 0 ? (
      <ul className="field-error key-problems" id={`tpl-${f}-problems`} aria-live="polite">
        {fieldProblems(f).map((p, i) => (
          <li key={i}>{problemText(p)}</li>
        ))}
      </ul>
    ) : null;
  const inUse = id !== null && p417.data?.value === id;

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
          <div className="field">
            <label htmlFor="tpl-subject">{t('templates.subject')}</label>
            <input
              id="tpl-subject"
              ref={refs.subject}
              className="code"
              value={draft.subject}
              maxLength={MAX_LENGTH.templateSubject}
              onFocus={() => (lastField.current = 'subject')}
              onChange={(e) => setDraft({ ...draft, subject: e.target.value })}
              aria-invalid={fieldProblems('subject').length > 0}
              aria-describedby={fieldProblems('subject').length > 0 ? 'tpl-subject-problems' : undefined}
              spellCheck={false}
            />
            {problemList('subject')}
          </div>
          <div className="field">
            <label htmlFor="tpl-html">{t('templates.html')}</label>
            <textarea
              id="tpl-html"
              ref={refs.html}
              className="code"
              rows={14}
              value={draft.html}
              onFocus={() => (lastField.current = 'html')}
              onChange={(e) => setDraft({ ...draft, html: e.target.value })}
              aria-invalid={fieldProblems('html').length > 0}
              aria-describedby={fieldProblems('html').length > 0 ? 'tpl-html-problems' : undefined}
              spellCheck={false}
            />
            {problemList('html')}
          </div>
          <div className="field">
            <label htmlFor="tpl-text">{t('templates.text')}</label>
            <textarea
              id="tpl-text"
              ref={refs.text}
              className="code"
              rows={5}
              value={draft.text}
              onFocus={() => (lastField.current = 'text')}
              onChange={(e) => setDraft({ ...draft, text: e.target.value })}
              aria-describedby="tpl-text-hint"
              spellCheck={false}
            />
            <p className="field-hint" id="tpl-text-hint">
              {t('templates.textHint')}
            </p>
            {problemList('text')}
          </div>
          <ErrorNotice error={error} title={t('templates.notSaved')} />
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

        <TemplatePreview id={id} draft={draft} dirty={dirty} />
      </div>
    </Page>
  );
}
