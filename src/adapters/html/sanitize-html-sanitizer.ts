import sanitize from 'sanitize-html';
import type { HtmlSanitizer } from '../../ports/html-sanitizer.ts';

const MESSAGE_TAGS = ['p', 'br', 'b', 'strong', 'i', 'em', 'u', 's', 'ul', 'ol', 'li', 'blockquote', 'pre', 'code'];
const HEADINGS = ['h1', 'h2', 'h3'];
const TABLES = ['table', 'thead', 'tbody', 'tr', 'td', 'th', 'div', 'span'];
const CID = /^cid:[A-Za-z0-9][A-Za-z0-9._@-]{0,250}$/;
const REMOTE = /^https?:\/\/[^\s"'<>]+$/i;

const link: sanitize.Transformer = (tagName, attribs) => ({
  tagName,
  attribs: {
    ...(attribs.href ? { href: attribs.href } : {}),
    rel: 'noopener noreferrer nofollow',
    target: '_blank',
  },
});

/** An image keeps a `cid:` src; in mail a remote one moves to data-remote-src; any other image is dropped. */
function image(remote: boolean): sanitize.Transformer {
  return (tagName, attribs) => {
    const src = (attribs.src ?? '').trim();
    const alt: Record<string, string> = attribs.alt ? { alt: attribs.alt } : {};
    if (CID.test(src)) return { tagName, attribs: { src, ...alt } };
    if (remote && REMOTE.test(src)) return { tagName, attribs: { 'data-remote-src': src, ...alt } };
    return { tagName: 'parley-dropped', attribs: {} };
  };
}

function options(from: 'message' | 'mail'): sanitize.IOptions {
  return {
    allowedTags: [...MESSAGE_TAGS, ...HEADINGS, 'a', 'img', ...(from === 'mail' ? TABLES : [])],
    allowedAttributes: {
      a: ['href', 'rel', 'target'],
      img: from === 'mail' ? ['src', 'alt', 'data-remote-src'] : ['src', 'alt'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesByTag: { img: ['cid'] },
    allowedSchemesAppliedToAttributes: ['href', 'src'],
    allowProtocolRelative: false,
    allowedStyles: {},
    // Scripts, styles and the like lose their content too (not only their tags).
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'title', 'head', 'template', 'xmp', 'iframe'],
    exclusiveFilter: (frame) => frame.tag === 'parley-dropped',
    transformTags: { a: link, img: image(from === 'mail') },
  };
}

/** The maintained sanitizer (sanitize-html, on htmlparser2) behind the port. */
export class SanitizeHtmlSanitizer implements HtmlSanitizer {
  sanitize(html: string, from: 'message' | 'mail'): string {
    return sanitize(html, options(from)).trim();
  }
}
