import { attrIncludes, decodeEntities, tokenizeHtml, type HtmlTag } from './html-tokenizer.ts';

/**
 * HTML mail → plain text, in one linear pass (see html-tokenizer.ts). The conventions, which the reply corpus in
 * test/fixtures/replies follows:
 * - block elements (div, li, tr, table, headings, lists, blockquote, pre, hr, …) start and end a line; `<br>` ends
 *   one, so `<div><br></div>` is an empty line;
 * - `<p>` paragraphs are separated by an empty line, except Outlook's `<p class="MsoNormal">` (Word styles them
 *   with no margin), which are single lines;
 * - runs of spaces collapse, lines are trimmed, at most one empty line in a row, `&nbsp;` is a space;
 * - blockquote content is prefixed with `> ` per level (an empty quoted line is `>`);
 * - list items start with `- ` (`1. ` in ordered lists), table cells are separated by a space;
 * - a link is written `label (url)` when its http(s)/mailto target differs from its label; other targets are dropped;
 * - script, style, head, iframe, object and similar elements are dropped with their content, images are dropped.
 */

/** Largest HTML body read, in UTF-16 code units; the rest is ignored (and reported by extractReply). */
export const MAX_HTML_CHARS = 1_000_000;
const MAX_QUOTE_DEPTH = 20; // deeper nesting is rendered at this depth, so a line's prefix stays short

/**
 * 'hard': quoted history from here on; 'soft': an attribution and a quote follow (answers may be interleaved); 'sig':
 * a signature; 'head': Outlook's border-top box, which holds a header block when the lines after it read as one;
 * 'cite': Apple's and Thunderbird's top-level `<blockquote type="cite">`, a quote (the line before may attribute it).
 */
export type LineMark = 'hard' | 'soft' | 'sig' | 'head' | 'cite';

/** One rendered line. `mark` lines carry no text: they record where a client put a quote or signature marker. */
export interface RenderedLine {
  text: string; // with its `> ` prefix when quoted
  quoted: boolean;
  mark?: LineMark;
  /** Where the line begins in the HTML it was rendered from (its first text, or the tag of a mark); text lines: none. */
  at?: number;
}

const BLOCK = new Set([
  'div',
  'li',
  'tr',
  'table',
  'tbody',
  'thead',
  'tfoot',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'ul',
  'ol',
  'dl',
  'dt',
  'dd',
  'pre',
  'blockquote',
  'hr',
  'section',
  'article',
  'header',
  'footer',
  'nav',
  'aside',
  'main',
  'figure',
  'figcaption',
  'address',
  'center',
  'form',
  'fieldset',
  'details',
  'summary',
  'caption',
  'body',
  'html',
  'p',
]);

/** What a client's markup says about the element starting here (only looked at when `markers` is on). */
function markOf(tag: HtmlTag): LineMark | null {
  const id = (tag.attrs.get('id') ?? '').toLowerCase();
  const name = tag.name;
  // Quoted history whose text is not inside a blockquote: everything from here on is quoted.
  if (id.endsWith('divrplyfwdmsg') || id === 'appendonsend' || id === 'mail-editor-reference-message-container')
    return 'hard';
  if (name === 'hr' && id === 'stopspelling') return 'hard';
  if (attrIncludes(tag, 'class', 'yahoo_quoted') || id.includes('yahoo_quoted')) return 'hard';
  if (attrIncludes(tag, 'class', 'moz-forward-container')) return 'hard';
  // An attribution followed by a blockquote: quoted, unless the writer answered between quotes.
  if (name !== 'blockquote' && attrIncludes(tag, 'class', 'gmail_quote')) return 'soft';
  if (attrIncludes(tag, 'class', 'moz-cite-prefix')) return 'soft';
  // Outlook for Windows puts its header block in `<div style="border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt
  // 0cm 0cm 0cm">`, in every language.
  if (name === 'div' && isOutlookHeaderBox((tag.attrs.get('style') ?? '').toLowerCase())) return 'head';
  // Signatures the client marks as such.
  if (attrIncludes(tag, 'class', 'gmail_signature') || attrIncludes(tag, 'class', 'moz-signature')) return 'sig';
  if (
    id === 'composer_signature' ||
    id === 'ms-outlook-mobile-signature' ||
    id === 'applemailsignature' ||
    id === 'ymail_android_signature'
  )
    return 'sig';
  return null;
}

function isOutlookHeaderBox(style: string): boolean {
  if (style.length > 500) return false;
  const s = style.replace(/\s+/g, '');
  return s.includes('border:none') && /border-top:[^;]*solid/.test(s) && s.includes('padding:3');
}

const SAFE_HREF = /^(?:https?:|mailto:)/i;

/** Renders HTML as lines; with `markers`, also emits mark lines where mail clients put quote and signature markers. */
export function htmlToLines(html: string, markers: boolean): RenderedLine[] {
  const lines: RenderedLine[] = [];
  let cur: string[] = []; // text of the line being built
  let pendingSpace = false;
  let pendingBlank = false; // a paragraph asked for an empty line before the next text
  let depth = 0; // blockquote nesting
  let pre = 0;
  const lists: { ordered: boolean; n: number }[] = [];
  const paragraphs: boolean[] = []; // open <p> elements: true for Outlook's one-line paragraphs
  let link: { href: string; line: number; at: number } | null = null;

  const prefix = (): string => (depth > 0 ? '>'.repeat(Math.min(depth, MAX_QUOTE_DEPTH)) : '');
  let lastBlank = true; // the last text line pushed was empty (true at the start: no leading empty lines)
  let tokenAt = 0; // where the token being read starts in the HTML
  let curAt = 0; // where the text of the line being built starts
  const push = (text: string, at: number): void => {
    const p = prefix();
    if (text !== '' && pendingBlank && !lastBlank) lines.push({ text: p, quoted: depth > 0, at });
    pendingBlank = false;
    lines.push({ text: p ? (text ? `${p} ${text}` : p) : text, quoted: depth > 0, at });
    lastBlank = text === '';
  };
  const endLine = (force: boolean): void => {
    if (cur.length > 0) {
      const joined = cur.join('');
      const text = pre > 0 ? joined.replace(/\u00a0/g, ' ').trimEnd() : joined.replace(/[\u00a0 ]+/g, ' ').trim();
      cur = [];
      push(text, curAt);
    } else if (force) {
      push('', tokenAt);
    }
    pendingSpace = false;
  };
  const mark = (m: LineMark): void => {
    endLine(false);
    lines.push({ text: '', quoted: depth > 0, mark: m, at: tokenAt });
  };
  /** Adds to the line being built, noting where its text starts. */
  const append = (s: string): void => {
    if (cur.length === 0) curAt = tokenAt;
    cur.push(s);
  };
  const addWord = (s: string): void => {
    if (pendingSpace && cur.length > 0) cur.push(' ');
    pendingSpace = false;
    append(s);
  };

  const text = (raw: string, at: number): void => {
    tokenAt = at;
    const t = decodeEntities(raw).replace(/\ufeff/g, '');
    if (pre > 0) {
      const parts = t.replace(/\r\n?/g, '\n').split('\n');
      parts.forEach((part, k) => {
        if (k > 0) endLine(true);
        if (part) append(part.replace(/\t/g, '    '));
      });
      return;
    }
    const c = t.replace(/[ \t\n\r\f]+/g, ' ');
    if (c === '') return;
    let s = c;
    if (s[0] === ' ') {
      pendingSpace = true;
      s = s.slice(1);
    }
    const trailing = s.endsWith(' ');
    if (trailing) s = s.slice(0, -1);
    if (s) addWord(s);
    if (trailing) pendingSpace = true;
  };

  const tag = (t: HtmlTag, at: number): void => {
    tokenAt = at;
    const { name, closing } = t;
    if (!closing && markers) {
      const m = markOf(t);
      if (m) mark(m);
    }
    if (name === 'br') {
      endLine(true);
      return;
    }
    if (name === 'p') {
      // Outlook's Word-styled paragraphs have no margin: one line each. Others are set apart by an empty line.
      endLine(false);
      const outlookLine = closing ? paragraphs.pop() === true : /(?:^|\s)mso/i.test(t.attrs.get('class') ?? '');
      if (!closing && paragraphs.length < 100) paragraphs.push(outlookLine);
      if (!outlookLine) pendingBlank = lines.length > 0;
      return;
    }
    if (name === 'blockquote') {
      if (markers && !closing && depth === 0 && (t.attrs.get('type') ?? '').toLowerCase() === 'cite') mark('cite');
      endLine(false);
      depth = closing ? Math.max(0, depth - 1) : depth + 1;
      return;
    }
    if (name === 'pre') {
      endLine(false);
      pre = closing ? Math.max(0, pre - 1) : pre + 1;
      return;
    }
    if (name === 'ul' || name === 'ol') {
      endLine(false);
      if (closing) lists.pop();
      else if (lists.length < 100) lists.push({ ordered: name === 'ol', n: 0 });
      return;
    }
    if (name === 'li') {
      endLine(false);
      if (!closing) {
        const list = lists[lists.length - 1];
        if (list?.ordered) append(`${++list.n}. `);
        else append('- ');
      }
      return;
    }
    if (name === 'td' || name === 'th') {
      if (!closing && cur.length > 0) pendingSpace = true;
      return;
    }
    if (name === 'a') {
      if (!closing) {
        const href = (t.attrs.get('href') ?? '').replace(/[\u0000-\u0020]+/g, '');
        link = { href: SAFE_HREF.test(href) ? href : '', line: lines.length, at: cur.length };
      } else if (link) {
        const { href } = link;
        if (href && link.line === lines.length) {
          const label = cur
            .slice(link.at)
            .join('')
            .replace(/[\u00a0 ]+/g, ' ')
            .trim();
          const bare = href.replace(/^mailto:/i, '');
          if (!label) addWord(bare);
          else if (label !== href && label !== bare && label !== bare.replace(/\/$/, '')) {
            cur.push(` (${bare === href ? href : bare})`);
          }
        }
        link = null;
      }
      return;
    }
    if (BLOCK.has(name)) endLine(false);
  };
  tokenizeHtml(html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html, {
    text,
    tag,
    comment: (body, at) => {
      tokenAt = at;
      if (markers && body.trim() === 'originalMessage') mark('hard');
    },
  });
  endLine(false);
  return lines;
}

/** Joins rendered lines as text: mark lines dropped, empty lines collapsed to one, the whole trimmed. */
export function renderLines(lines: readonly RenderedLine[]): string {
  const out: string[] = [];
  let blank = false;
  for (const l of lines) {
    if (l.mark) continue;
    const isBlank = l.text === '';
    if (isBlank) {
      blank = out.length > 0;
      continue;
    }
    if (blank) out.push('');
    blank = false;
    out.push(l.text);
  }
  return out.join('\n');
}

/**
 * HTML-only mail → plain text: block elements become line breaks, entities are decoded, scripts, styles and other
 * non-text content are dropped, blockquotes are prefixed with `> `. Reads at most MAX_HTML_CHARS of input.
 */
export function htmlToSafeText(html: string): string {
  return renderLines(htmlToLines(html, false));
}
