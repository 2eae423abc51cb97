import { get } from '../../../api.ts';
import { ErrorNotice, Loading, Page } from '../../../components/ui.tsx';
import { useResource } from '../../../hooks.ts';
import { useI18n } from '../../../i18n/i18n.tsx';
import { Link } from '../../../router.tsx';
import { type CapturedMail } from '../../../types.ts';
import { withFramePolicy } from '../../../components/rich/frame-policy.ts';

export function AdminCapturedMail({ id }: { id: number }) {
  const { t } = useI18n();
  const mail = useResource(() => get<CapturedMail>(`/admin/mail-catcher/${id}`), [id]);
  if (!mail.data) {
    return (
      <Page title={t('catcher.mail', { id })}>
        <ErrorNotice error={mail.error} />
        {mail.loading ? <Loading /> : null}
      </Page>
    );
  }
  const m = mail.data;
  return (
    <Page
      wide
      title={m.subject || t('catcher.noSubject')}
      subtitle={
        <>
          {m.from ?? ''} → {m.to ?? m.envelope.to.join(', ')}
        </>
      }
      actions={
        <Link to="/admin/mail-catcher" className="button">
          {t('catcher.back')}
        </Link>
      }
    >
      <div className="two-columns">
        <div className="main-column">
          <section className="card" aria-labelledby="body-h">
            <h2 id="body-h" className="card-title">
              {t('outbox.mail')}
            </h2>
            {m.html ? (
              <iframe
                className="mail-frame"
                sandbox=""
                srcDoc={withFramePolicy(m.html)}
                title={t('templates.previewHtml')}
              />
            ) : null}
            <details open={!m.html}>
              <summary>{t('templates.previewText')}</summary>
              <pre className="mail-text">{m.text}</pre>
            </details>
          </section>
        </div>
        <aside className="side">
          <section className="card" aria-labelledby="headers-h">
            <h2 id="headers-h" className="card-title">
              {t('catcher.headers')}
            </h2>
            <dl className="details details-headers">
              {Object.entries(m.headers).map(([k, v]) => (
                <div key={k} className="header-row">
                  <dt>{k}</dt>
                  <dd className="cell-code break">{v}</dd>
                </div>
              ))}
            </dl>
          </section>
        </aside>
      </div>
    </Page>
  );
}
