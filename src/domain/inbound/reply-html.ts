import type { HtmlSanitizer } from '../../ports/html-sanitizer.ts';
import { cidReferences } from '../messages/rich-text.ts';
import { htmlToSafeText } from './html-to-safe-text.ts';
import type { InboundFile } from './inbound-attachments.ts';

/** Largest reply HTML kept, sanitized, in UTF-16 code units; a longer one is kept as text only. */
export const MAX_REPLY_HTML = 200_000;

/** An element with nothing in them at the end, inside its parents (what is left of a quote cut inside it). */
const EMPTY_TAIL = /<([a-z][a-z0-9]*)\b[^>]*>(?:\s|&nbsp;|<br \/>)*<\/\1>((?:\s*<\/[a-z][a-z0-9]*>)*)\s*$/;

/** Looked for in the last TAIL characters only, so the cost stays bounded whatever the mail. */
const TAIL = 4_000;

function trimEmptyTail(html: string): string {
  const cut = Math.max(0, html.length - TAIL);
  const head = html.slice(0, cut);
  let tail = html.slice(cut).trimEnd();
  for (let k = 0; k < 100; k++) {
    const m = EMPTY_TAIL.exec(tail);
    if (!m) break;
    tail = (tail.slice(0, m.index) + m[2]!).trimEnd();
  }
  return head + tail;
}

const escapeText = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * The HTML kept for a reply that came by mail: the slice extractReply cut from the HTML part, sanitized with the
 * `mail` allow-list (remote images keep their address in data-remote-src only), `cid:` images that name no kept
 * attachment removed, and the note on attachments not kept added as a last paragraph. Null when nothing readable is
 * left, or when it is too long to show (the text then stands alone).
 */
export function replyHtml(
  sanitizer: HtmlSanitizer,
  slice: string,
  files: readonly InboundFile[],
  note: string | null,
): string | null {
  let html = trimEmptyTail(sanitizer.sanitize(slice, 'mail'));
  const kept = new Set(files.flatMap((f) => (f.contentId === null ? [] : [f.contentId])));
  const missing = cidReferences(html).filter((cid) => !kept.has(cid));
  if (missing.length > 0) {
    const gone = new Set(missing);
    html = html.replace(/<img\b[^>]*?\ssrc="cid:([^"]+)"[^>]*>/g, (img, cid: string) => (gone.has(cid) ? '' : img));
  }
  const images = cidReferences(html).length + (html.match(/data-remote-src=/g)?.length ?? 0);
  if (htmlToSafeText(html).trim() === '' && images === 0) return null;
  if (note) html += `<p>${escapeText(note)}</p>`;
  return html.length > MAX_REPLY_HTML ? null : html;
}
