import { useEffect, useMemo, useState } from 'react';
import { get, post } from '../../../api.ts';
import { ErrorNotice } from '../../../components/ui.tsx';
import { useDebounced, useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { type Page as ApiPage, type Rendered, type ListedTicket } from '../../../types.ts';
import { localeLabel } from './locale-name.ts';
import { TestSend } from './test-send.tsx';
import type { VariantDraft } from './variant-draft.ts';
import { withFramePolicy } from '../../../components/rich/frame-policy.ts';

/**
 * The live preview of the selected variant as drafted (unsaved) against a ticket, as a recipient of its language
 * receives it; and sending that variant as saved.
 */
export function TemplatePreview(props: {
  id: number | null;
  name: string;
  variant: VariantDraft;
  state: 'saved' | 'changed' | 'new';
}) {
  const i18n = useI18n();
  const { t } = i18n;
  const tickets = useResource(() => get<ApiPage<ListedTicket>>('/tickets?limit=50'), []);
  const [previewTicket, setPreviewTicket] = useState('');
  const [preview, setPreview] = useState<{ rendered?: Rendered; error?: unknown }>({});
  const { name, variant } = props;

  // Live preview of the variant (unsaved), checked exactly as a save would check it. Sent alone, as a template of one
  // variant, so that another variant's mistake does not hide this one's mail.
  const previewInput = useMemo(() => ({ name, variant, previewTicket }), [name, variant, previewTicket]);
  const debounced = useDebounced(previewInput, 400);
  const previewPending = debounced !== previewInput;
  useEffect(() => {
    const v = debounced.variant;
    if (!v.subject.trim() || !v.html.trim()) {
      setPreview({});
      return;
    }
    let live = true;
    post<Rendered>('/admin/email-templates/preview', {
      name: debounced.name.trim() || 'draft',
      subject: v.subject,
      html: v.html,
      text: v.text.trim() ? v.text : null,
      ticketNumber: debounced.previewTicket ? Number(debounced.previewTicket) : null,
      // The selected variant alone, as a draft in its own language: dates and sample texts as its reader sees them.
      locale: v.locale,
      variant: v.locale,
    }).then(
      (rendered) => live && setPreview({ rendered }),
      (e: unknown) => live && setPreview({ error: e }),
    );
    return () => {
      live = false;
    };
  }, [debounced]);

  const languageLabel = localeLabel(i18n.locale, variant.locale);

  return (
    <section className="card preview" aria-labelledby="preview-h">
      <h2 id="preview-h" className="card-title">
        {t('templates.preview')}
      </h2>
      <p className="field-hint">{t('templates.previewOf', { language: languageLabel })}</p>
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
      </div>
      <div aria-live="polite">
        {preview.error ? <ErrorNotice error={preview.error} /> : null}
        {!preview.rendered && !preview.error ? (
          <p className="empty">
            {previewPending || variant.subject.trim() ? t('common.loading') : t('templates.previewEmpty')}
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
            srcDoc={withFramePolicy(preview.rendered.html)}
            title={t('templates.previewHtml')}
          />
          <details>
            <summary>{t('templates.previewText')}</summary>
            <pre className="mail-text">{preview.rendered.text}</pre>
          </details>
        </div>
      ) : null}
      <TestSend id={props.id} variant={variant.locale} state={props.state} language={languageLabel} />
    </section>
  );
}
