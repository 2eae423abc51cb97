import { decodeEntities, tokenizeHtml } from './html-tokenizer.ts';
import { MAX_HTML_CHARS } from './html-to-safe-text.ts';

/** The only elements kept; every attribute is dropped except an http(s)/mailto `href` on `a`. */
const ALLOWED = new Set([
  'p',
  'br',
  'div',
  'span',
  'b',
  'strong',
  'i',
  'em',
  'u',
  'ul',
  'ol',
  'li',
  'blockquote',
  'pre',
  'code',
  'a',
  'table',
  'tr',
  'td',
  'th',
]);
const VOID = new Set(['br']);
const MAX_DEPTH = 100; // deeper nesting keeps its text but loses its tags, so closing a tag costs at most this much

const escapeText = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
const escapeAttr = (s: string): string => escapeText(s).replace(/"/g, '&quot;');

/**
 * Allow-list sanitiser for inbound HTML shown in the UI. Linear time; reads at most MAX_HTML_CHARS of input.
 * Text is re-escaped from its decoded form, so no markup survives that is not rebuilt here; the content of script,
 * style, iframe, object and similar elements is dropped entirely; tags are balanced.
 */
export function sanitizeHtml(html: string): string {
  const out: string[] = [];
  const open: string[] = [];
  tokenizeHtml(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html, {
    text: (raw) => {
      out.push(escapeText(decodeEntities(raw)));
    },
    tag: ({ name, closing, attrs }) => {
      if (!ALLOWED.has(name)) return;
      if (VOID.has(name)) {
        if (!closing) out.push(`<${name}>`);
        return;
      }
      if (!closing) {
        if (open.length >= MAX_DEPTH) return;
        if (name === 'a') {
          const href = (attrs.get('href') ?? '').replace(/[\u0000-\u0020\u007f]+/g, '');
          out.push(
            /^(?:https?:|mailto:)/i.test(href)
              ? `<a href="${escapeAttr(href)}" rel="noopener noreferrer nofollow">`
              : '<a>',
          );
        } else {
          out.push(`<${name}>`);
        }
        open.push(name);
        return;
      }
      const at = open.lastIndexOf(name);
      if (at < 0) return; // a closing tag with no opening one is dropped
      while (open.length > at) out.push(`</${open.pop()}>`);
    },
  });
  while (open.length > 0) out.push(`</${open.pop()}>`);
  return out.join('');
}
