import { useEffect, useMemo, useRef, useState } from 'react';
import { useI18n } from '../../i18n/i18n.tsx';
import { hasRemoteImages, htmlToShow } from './message-html.ts';

type Inline = { id: string; contentId: string | null };

/** The inline images back from their key (JSON: a Content-ID may hold any character). */
const sources = (key: string) => JSON.parse(key) as Inline[];

/**
 * A mail's HTML in a sandbox: an iframe that runs no script (`sandbox` without allow-scripts), opens links in a new
 * tab, and has its own policy: images from Parley only, unless the reader asked for the mail's remote images (until
 * then they have no address at all, so nothing is requested). Same origin without scripts, so its height follows
 * its content.
 */
export function MailHtmlFrame(props: { html: string; attachments: readonly Inline[] | undefined }) {
  const { t } = useI18n();
  const [remote, setRemote] = useState(false);
  const frame = useRef<HTMLIFrameElement>(null);
  // The frame's document changes only when what it shows does (not when the thread is fetched again).
  const inline = JSON.stringify((props.attachments ?? []).map((a) => ({ id: a.id, contentId: a.contentId })));
  const doc = useMemo(() => {
    const images = remote ? "'self' data: https: http:" : "'self' data:";
    const policy = `default-src 'none'; img-src ${images}; style-src 'self' 'unsafe-inline'`;
    return (
      `<!doctype html><html><head><meta charset="utf-8">` +
      `<meta http-equiv="Content-Security-Policy" content="${policy}">` +
      `<meta name="referrer" content="no-referrer"><base target="_blank"><link rel="stylesheet" href="/mail-frame.css"></head>` +
      `<body>${htmlToShow(props.html, sources(inline), remote)}</body></html>`
    );
  }, [props.html, inline, remote]);

  useEffect(() => {
    const iframe = frame.current;
    if (!iframe) return;
    // Each load brings a new document (srcdoc): its body is the one to watch.
    let observer: ResizeObserver | null = null;
    let watched: HTMLElement | null = null;
    const fit = () => {
      const body = iframe.contentDocument?.body;
      if (!body) return;
      iframe.style.height = `${Math.ceil(body.scrollHeight) + 4}px`;
      if (watched !== body) {
        observer?.disconnect();
        observer = new ResizeObserver(fit);
        observer.observe(body);
        watched = body;
      }
    };
    iframe.addEventListener('load', fit);
    fit();
    return () => {
      iframe.removeEventListener('load', fit);
      observer?.disconnect();
    };
  }, [doc]);

  return (
    <div className="msg-html-mail">
      {hasRemoteImages(props.html) && !remote ? (
        <p className="msg-remote-images">
          {t('rich.remoteImages')}{' '}
          <button type="button" className="button button-small" onClick={() => setRemote(true)}>
            {t('rich.showRemoteImages')}
          </button>
        </p>
      ) : null}
      <iframe
        ref={frame}
        className="msg-frame"
        title={t('rich.frameTitle')}
        sandbox="allow-same-origin allow-popups allow-popups-to-escape-sandbox"
        srcDoc={doc}
      />
    </div>
  );
}
