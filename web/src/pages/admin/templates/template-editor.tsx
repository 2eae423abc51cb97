import { useEffect, useMemo, useRef, useState, type FormEvent } from 'react';
import { ApiError, del, get, post, put } from '../../../api.ts';
import { ErrorNotice, Loading, Page, SuccessNotice } from '../../../components/ui.tsx';
import { useDebounced, useResource } from '../../../hooks.ts';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { Link, useRouter } from '../../../router.tsx';
import {
  LOCALES,
  type EmailTemplate,
  type Locale,
  type Page as ApiPage,
  type Parameter,
  type Rendered,
  type TemplateKey,
  type Ticket,
} from '../../../types.ts';
import { type Field, type KeyProblem, scanKeys } from './scan-keys.ts';
import { TestSend } from './test-send.tsx';
import { MAX_LENGTH } from '../../../api/limits.ts';

interface Draft {
  name: string;
  subject: string;
  html: string;
  text: string;
  active: boolean;
}
const EMPTY: Draft = { name: '', subject: '', html: '', text: '', active: true };
export function TemplateEditor({ id }: { id: number | null }) {
  const i18n = useI18n();
  const { t } = i18n;
  const { navigate } = useRouter();
  const stored = useResource(
    () => (id === null ? Promise.resolve(null) : get<EmailTemplate>(`/admin/email-templates/${id}`)),
    [id],
  );
  const keys = useResource(
    () => get<{ items: TemplateKey[] }>(`/admin/template-keys?locale=${encodeURIComponent(i18n.locale)}`),
    [i18n.locale],
  );
  const tickets = useResource(() => get<ApiPage<Ticket>>('/tickets?limit=50'), []);
  const p417 = useResource(() => get<Parameter>('/admin/parameters/417'), []);
  const [draft, setDraft] = useState<Draft>(EMPTY);
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const [filter, setFilter] = useState('');
  const [previewTicket, setPreviewTicket] = useState('');
  const [previewLocale, setPreviewLocale] = useState<Locale>(i18n.locale);
  const [preview, setPreview] = useState<{ rendered?: Rendered; error?: unknown }>({});
  const [missingName, setMissingName] = useState(false);
  const refs = {
    subject: useRef<HTMLInputElement>(null),
    html: useRef<HTMLTextAreaElement>(null),
    text: useRef<HTMLTextAreaElement>(null),
  };
  const lastField = useRef<Field>('html');

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

  const known = useMemo(() => new Set((keys.data?.items ?? []).flatMap((k) => [k.name, ...k.aliases])), [keys.data]);
  const problems = useMemo(
    () => (keys.data ? (['subject', 'html', 'text'] as const).flatMap((f) => scanKeys(f, draft[f], known)) : []),
    [draft, known, keys.data],
  );

  // Live preview of the draft (unsaved), checked exactly as a save would be.
  const previewInput = useMemo(() => ({ draft, previewTicket, previewLocale }), [draft, previewTicket, previewLocale]);
  const debounced = useDebounced(previewInput, 400);
  const previewPending = debounced !== previewInput;
  useEffect(() => {
    const d = debounced.draft;
    if (!d.subject.trim() || !d.html.trim()) {
      setPreview({});
      return;
    }
    let live = true;
    post<Rendered>('/admin/email-templates/preview', {
      name: d.name.trim() || 'draft',
      subject: d.subject,
      html: d.html,
      text: d.text.trim() ? d.text : null,
      active: d.active,
      ticketNumber: debounced.previewTicket ? Number(debounced.previewTicket) : null,
      locale: debounced.previewLocale,
    }).then(
      (rendered) => live && setPreview({ rendered }),
      (e: unknown) => live && setPreview({ error: e }),
    );
    return () => {
      live = false;
    };
  }, [debounced]);

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
  const visibleKeys = (keys.data?.items ?? []).filter((k) => {
    const q = filter.trim().toUpperCase();
    return !q || k.name.includes(q) || k.aliases.some((a) => a.includes(q)) || k.description.toUpperCase().includes(q);
  });
  const inUse = id !== null && p417.data?.value === id;
  const dirty =
    !!stored.data &&
    (draft.name !== stored.data.name ||
      draft.subject !== stored.data.subject ||
      draft.html !== stored.data.html ||
      draft.text !== (stored.data.text ?? '') ||
      draft.active !== stored.data.active);

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

        <section className="card palette" aria-labelledby="palette-h">
          <h2 id="palette-h" className="card-title">
            {t('templates.keys')}
          </h2>
          <p className="field-hint">{t('templates.keysHint')}</p>
          <div className="field">
            <label htmlFor="palette-filter" className="sr-only">
              {t('templates.searchKeys')}
            </label>
            <input
              id="palette-filter"
              type="search"
              placeholder={t('templates.searchKeys')}
              value={filter}
              onChange={(e) => setFilter(e.target.value)}
            />
          </div>
          <ErrorNotice error={keys.error} />
          <ul className="key-list">
            {visibleKeys.map((k) => (
              <li key={k.name}>
                <button
                  type="button"
                  className="key-button"
                  onClick={() => insertKey(k.name)}
                  aria-label={t('templates.insertKey', { key: k.name })}
                >
                  <code>{`\${${k.name}}`}</code>
                </button>
                <span className="key-description">{k.description}</span>
                {k.aliases.length > 0 ? (
                  <span className="key-aliases">{t('templates.aliases', { list: k.aliases.join(', ') })}</span>
                ) : null}
              </li>
            ))}
          </ul>
        </section>

        <section className="card preview" aria-labelledby="preview-h">
          <h2 id="preview-h" className="card-title">
            {t('templates.preview')}
          </h2>
          <div className="field-row">
            <div className="field field-grow">
              <label htmlFor="preview-ticket">{t('templates.previewTicket')}</label>
              <select id="preview-ticket" value={previewTicket} onChange={(e) => setPreviewTicket(e.target.value)}>
                <option value="">{t('templates.latestTicket')}</option>
                {(tickets.data?.items ?? []).map((tk) => (
                  <option key={tk.number} value={tk.number}>
                    {`#${tk.number} — ${tk.title}`}
                  </option>
                ))}
              </select>
            </div>
            <div className="field">
              <label htmlFor="preview-locale">{t('templates.previewLocale')}</label>
              <select
                id="preview-locale"
                value={previewLocale}
                onChange={(e) => setPreviewLocale(e.target.value as Locale)}
              >
                {LOCALES.map((l) => (
                  <option key={l} value={l}>
                    {LANGUAGE_NAMES[l]}
                  </option>
                ))}
              </select>
            </div>
          </div>
          <div aria-live="polite">
            {preview.error ? <ErrorNotice error={preview.error} /> : null}
            {!preview.rendered && !preview.error ? (
              <p className="empty">
                {previewPending || draft.subject.trim() ? t('common.loading') : t('templates.previewEmpty')}
              </p>
            ) : null}
          </div>
          {preview.rendered ? (
            <div className="mail-preview">
              <p className="mail-subject">
                <span className="cell-muted">{t('templates.subject')}:</span> {preview.rendered.subject}
              </p>
              {/* The rendered HTML is shown only inside a sandbox with no permissions: no script, no same origin. */}
              <iframe
                className="mail-frame"
                sandbox=""
                srcDoc={preview.rendered.html}
                title={t('templates.previewHtml')}
              />
              <details>
                <summary>{t('templates.previewText')}</summary>
                <pre className="mail-text">{preview.rendered.text}</pre>
              </details>
            </div>
          ) : null}
          <TestSend id={id} locale={previewLocale} dirty={dirty} />
        </section>
      </div>
    </Page>
  );
}
