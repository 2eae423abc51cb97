import { useEffect, useMemo, useState } from 'react';
import { get, post } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useDebounced, useResource } from '../../../hooks.ts';
import { LANGUAGE_NAMES, useI18n } from '../../../i18n/i18n.tsx';
import { LOCALES, type Locale, type Page as ApiPage, type Rendered, type ListedTicket } from '../../../types.ts';
import { TestSend } from './test-send.tsx';
import type { Draft } from './use-template-draft.ts';

/** The live preview of the draft (unsaved) against a ticket and in a language, and sending the saved template. */
export function TemplatePreview({ id, draft, dirty }: { id: number | null; draft: Draft; dirty: boolean }) {
  const i18n = useI18n();
  const { t } = i18n;
  const tickets = useResource(() => get<ApiPage<ListedTicket>>('/tickets?limit=50'), []);
  const [previewTicket, setPreviewTicket] = useState('');
  const [previewLocale, setPreviewLocale] = useState<Locale>(i18n.locale);
  const [preview, setPreview] = useState<{ rendered?: Rendered; error?: unknown }>({});

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

  return (
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
          <iframe className="mail-frame" sandbox="" srcDoc={preview.rendered.html} title={t('templates.previewHtml')} />
          <details>
            <summary>{t('templates.previewText')}</summary>
            <pre className="mail-text">{preview.rendered.text}</pre>
          </details>
        </div>
      ) : null}
      <TestSend id={id} locale={previewLocale} dirty={dirty} />
    </section>
  );
}
