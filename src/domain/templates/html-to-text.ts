const ENTITIES: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: ' ' };

/**
 * Two private-use characters a caller may put in the HTML to mark places (the derived text body marks its keys
 * with them). An entity is never decoded into either of them, so a mark in the output is always one the caller put
 * in the input; a caller removes them from the text it does not mean as marks.
 */
export const MARK_OPEN = '\uE000';
export const MARK_CLOSE = '\uE001';

function decodeEntities(s: string): string {
  return s.replace(/&(#x[0-9a-f]{1,6}|#[0-9]{1,7}|[a-z]{2,8});/gi, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      const mark = code === 0xe000 || code === 0xe001;
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !mark ? String.fromCodePoint(code) : whole;
    }
    return ENTITIES[body.toLowerCase()] ?? whole;
  });
}

const BLOCK = new Set([
  'p',
  'div',
  'h1',
  'h2',
  'h3',
  'h4',
  'h5',
  'h6',
  'table',
  'blockquote',
  'ul',
  'ol',
  'dl',
  'hr',
  'pre',
  'section',
  'article',
  'header',
  'footer',
  'main',
  'nav',
  'aside',
  'address',
  'figure',
  'figcaption',
  'caption',
]);
/** Table rows and definition terms and descriptions: each on its own line, with no blank line between them. */
const LINE = new Set(['tr', 'dt', 'dd']);
/** Table cells: the text of neighbouring cells is kept apart by a space. */
const CELL = new Set(['td', 'th']);
const SKIPPED = new Set(['script', 'style', 'head']);

/**
 * Turns an HTML template into its plain-text counterpart (used when a template has no text body).
 * One left-to-right pass over tags and text, so its cost grows linearly with the input however it is written.
 */
export function htmlToText(html: string): string {
  const out: string[] = [];
  let skipping: string | null = null;
  let link: { href: string; start: number } | null = null;
  const tag = /<(\/?)([a-zA-Z][a-zA-Z0-9]*)([^<>]*)>|<!--[\s\S]*?-->/g;
  let last = 0;
  for (let m = tag.exec(html); m; m = tag.exec(html)) {
    if (!skipping) out.push(decodeEntities(html.slice(last, m.index)));
    last = tag.lastIndex;
    if (m[2] === undefined) continue; // a comment
    const closing = m[1] === '/';
    const name = m[2].toLowerCase();
    if (skipping) {
      if (closing && name === skipping) skipping = null;
      continue;
    }
    if (SKIPPED.has(name) && !closing) skipping = name;
    else if (name === 'br') out.push('\n');
    else if (name === 'li' && !closing) out.push('\n- ');
    else if (LINE.has(name)) out.push(closing ? '' : '\n');
    else if (BLOCK.has(name)) out.push('\n');
    else if (CELL.has(name)) out.push(' ');
    else if (name === 'a' && !closing) {
      const href = /\bhref\s*=\s*(?:"([^"]*)"|'([^']*)')/i.exec(m[3] ?? '');
      link = href ? { href: decodeEntities(href[1] ?? href[2] ?? ''), start: out.length } : null;
    } else if (name === 'a' && closing && link) {
      const label = out.slice(link.start).join('').trim();
      out.push(label && label !== link.href ? ` (${link.href})` : label ? '' : link.href);
      link = null;
    }
  }
  if (!skipping) out.push(decodeEntities(html.slice(last)));
  return out
    .join('')
    .split('\n')
    .map((line) => line.replace(/[ \t\r]+/g, ' ').trim())
    .join('\n')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
}
