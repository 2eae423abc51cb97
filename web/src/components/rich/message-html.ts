import DOMPurify from 'dompurify';

/** What the HTML of a message needs of its attachments: each inline image's id and Content-ID. */
interface InlineSource {
  id: string;
  contentId: string | null;
}

/** The Content-IDs a message's HTML shows (`<img src="cid:…">`). */
export function shownContentIds(html: string | null): Set<string> {
  if (!html) return new Set();
  return new Set([...html.matchAll(/src="cid:([^"]+)"/g)].map((m) => m[1]!));
}

/**
 * The message's HTML made ready to show: sanitized once more here (the server's allow-list is the rule; this is a
 * second lock), each `cid:` image pointed at its attachment's inline address (an image whose file is not listed is
 * removed), and remote images of a mail given their address only when `remote` (the reader asked).
 */
export function htmlToShow(html: string, attachments: readonly InlineSource[], remote: boolean): string {
  const byCid = new Map(attachments.flatMap((a) => (a.contentId ? [[a.contentId, a.id] as const] : [])));
  const clean = DOMPurify.sanitize(html, {
    ALLOWED_TAGS: [
      'p',
      'br',
      'b',
      'strong',
      'i',
      'em',
      'u',
      's',
      'ul',
      'ol',
      'li',
      'blockquote',
      'pre',
      'code',
      'h1',
      'h2',
      'h3',
      'a',
      'img',
      'table',
      'thead',
      'tbody',
      'tr',
      'td',
      'th',
      'div',
      'span',
    ],
    ALLOWED_ATTR: ['href', 'src', 'alt', 'data-remote-src', 'target', 'rel'],
    ALLOWED_URI_REGEXP: /^(?:https?:|mailto:|cid:)/i,
  });
  // Changed in a document of its own, which loads nothing: an image given an address in the page's document would
  // be fetched at once, outside the frame and its policy.
  const inert = new DOMParser().parseFromString(`<!doctype html><body>${clean}</body>`, 'text/html');
  const body = inert.body;
  for (const img of Array.from(body.querySelectorAll('img'))) {
    const src = img.getAttribute('src') ?? '';
    const remoteSrc = img.getAttribute('data-remote-src');
    img.removeAttribute('src');
    if (src.startsWith('cid:') && byCid.has(src.slice(4))) {
      img.setAttribute('src', `/api/v1/attachments/${encodeURIComponent(byCid.get(src.slice(4))!)}/inline`);
    } else if (remoteSrc && /^https?:\/\//i.test(remoteSrc)) {
      img.setAttribute('referrerpolicy', 'no-referrer');
      if (remote) img.setAttribute('src', remoteSrc);
    } else {
      img.remove();
    }
  }
  for (const a of Array.from(body.querySelectorAll('a'))) {
    a.setAttribute('target', '_blank');
    a.setAttribute('rel', 'noopener noreferrer nofollow');
  }
  return body.innerHTML;
}

/** Whether a mail's HTML has remote images (kept unloaded until the reader asks). */
export const hasRemoteImages = (html: string | null) => html !== null && html.includes('data-remote-src=');
