/**
 * A forgiving, linear-time HTML tokenizer for inbound mail: one left-to-right pass, every `indexOf` starts where the
 * previous one stopped, so its cost grows with the input however broken the markup is (an unclosed comment, quote or
 * tag swallows the rest of the input, as it does in a browser, instead of being rescanned).
 *
 * It is not an HTML parser: there is no tree, only a stream of text runs, tags and comments. That is all that quote
 * detection, text conversion and allow-list sanitising need.
 */

/** Elements whose content is never text of the message: skipped whole, up to their closing tag. */
const RAW_SKIPPED = new Set([
  'script',
  'style',
  'title',
  'iframe',
  'object',
  'noscript',
  'xml',
  'template',
  'svg',
  'math',
  'textarea',
  'select',
  'head',
]);
// `head` is skipped only when its closing tag exists (see skipTo); a mail without `</head>` keeps its body.

export interface HtmlTag {
  name: string; // lower case
  closing: boolean;
  selfClosing: boolean;
  attrs: ReadonlyMap<string, string>; // names in lower case, values with entities decoded
}

export interface HtmlVisitor {
  // `at`: where the token starts in the input (its first character, or the `<` of a tag or comment).
  text(raw: string, at: number): void; // raw text, entities not yet decoded
  tag(tag: HtmlTag, at: number): void;
  comment?(body: string, at: number): void;
}

const isNameChar = (c: number): boolean =>
  (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 45 || c === 58 || c === 95; // a-z A-Z 0-9 - : _
const isAsciiLetter = (c: number): boolean => (c >= 97 && c <= 122) || (c >= 65 && c <= 90);
const isSpace = (c: number): boolean => c === 32 || c === 9 || c === 10 || c === 13 || c === 12;

/** Index of the `<` of `</name` (any case, followed by a non-name character) at or after `from`, or -1. */
function findClosingTag(html: string, name: string, from: number): number {
  let at = from;
  for (;;) {
    const k = html.indexOf('</', at);
    if (k < 0) return -1;
    const end = k + 2 + name.length;
    if (html.slice(k + 2, end).toLowerCase() === name && (end >= html.length || !isNameChar(html.charCodeAt(end))))
      return k;
    at = k + 2;
  }
}

/** Parses the attribute part of a start tag in one pass. */
function parseAttributes(s: string): Map<string, string> {
  const attrs = new Map<string, string>();
  let i = 0;
  const n = s.length;
  while (i < n) {
    while (i < n && (isSpace(s.charCodeAt(i)) || s[i] === '/')) i++;
    if (i >= n) break;
    const nameStart = i;
    while (i < n && !isSpace(s.charCodeAt(i)) && s[i] !== '=' && s[i] !== '/' && s[i] !== '>') i++;
    const name = s.slice(nameStart, i).toLowerCase();
    if (i === nameStart) {
      i++;
      continue;
    }
    while (i < n && isSpace(s.charCodeAt(i))) i++;
    let value = '';
    if (s[i] === '=') {
      i++;
      while (i < n && isSpace(s.charCodeAt(i))) i++;
      const q = s[i];
      if (q === '"' || q === "'") {
        const close = s.indexOf(q, i + 1);
        const end = close < 0 ? n : close;
        value = s.slice(i + 1, end);
        i = end + 1;
      } else {
        const start = i;
        while (i < n && !isSpace(s.charCodeAt(i))) i++;
        value = s.slice(start, i);
      }
    }
    if (name && !attrs.has(name)) attrs.set(name, decodeEntities(value));
  }
  return attrs;
}

/**
 * Walks `html` once, calling the visitor for text, tags and comments. The content of script, style, iframe, object
 * and similar elements is skipped entirely (the visitor sees their start and end tags only).
 */
export function tokenizeHtml(html: string, visitor: HtmlVisitor): void {
  const n = html.length;
  const absent = new Set<string>(); // closing tags known not to occur after this point: never searched twice
  let i = 0;
  while (i < n) {
    const lt = html.indexOf('<', i);
    if (lt < 0) {
      visitor.text(html.slice(i), i);
      return;
    }
    if (lt > i) visitor.text(html.slice(i, lt), i);
    const c = html.charCodeAt(lt + 1);
    if (html.startsWith('<!--', lt)) {
      const end = html.indexOf('-->', lt + 4);
      visitor.comment?.(html.slice(lt + 4, end < 0 ? n : end), lt);
      i = end < 0 ? n : end + 3;
      continue;
    }
    if (c === 33 /* ! */ || c === 63 /* ? */) {
      // <!DOCTYPE>, <![if ...]>, <![endif]>, <?xml ...?>: dropped.
      const end = html.indexOf('>', lt + 2);
      i = end < 0 ? n : end + 1;
      continue;
    }
    const closing = c === 47; /* / */
    const nameStart = closing ? lt + 2 : lt + 1;
    if (!isAsciiLetter(html.charCodeAt(nameStart))) {
      visitor.text('<', lt);
      i = lt + 1;
      continue;
    }
    let j = nameStart;
    while (j < n && isNameChar(html.charCodeAt(j))) j++;
    const name = html.slice(nameStart, j).toLowerCase();
    // Find the end of the tag, jumping over quoted attribute values.
    const attrStart = j;
    let end = -1;
    while (j < n) {
      const ch = html.charCodeAt(j);
      if (ch === 62 /* > */) {
        end = j;
        break;
      }
      if (ch === 61 /* = */) {
        j++;
        while (j < n && isSpace(html.charCodeAt(j))) j++;
        const q = html[j];
        if (q === '"' || q === "'") {
          const close = html.indexOf(q, j + 1);
          if (close < 0) break;
          j = close + 1;
          continue;
        }
        continue;
      }
      j++;
    }
    if (end < 0) return; // an unterminated tag swallows the rest of the input, as in a browser
    const inner = html.slice(attrStart, end);
    const selfClosing = inner.endsWith('/');
    const tag: HtmlTag = { name, closing, selfClosing, attrs: closing ? new Map() : parseAttributes(inner) };
    visitor.tag(tag, lt);
    i = end + 1;
    if (!closing && !selfClosing && RAW_SKIPPED.has(name) && !absent.has(name)) {
      const close = findClosingTag(html, name, i);
      if (close < 0) {
        absent.add(name);
        if (name === 'head') continue; // `</head>` may be omitted: keep reading the document
        return;
      }
      const closeEnd = html.indexOf('>', close);
      visitor.tag({ name, closing: true, selfClosing: false, attrs: new Map() }, close);
      i = closeEnd < 0 ? n : closeEnd + 1;
    }
  }
}

const ENTITIES: Record<string, string> = {
  amp: '&',
  lt: '<',
  gt: '>',
  quot: '"',
  apos: "'",
  nbsp: '\u00a0',
  ensp: '\u2002',
  emsp: '\u2003',
  thinsp: '\u2009',
  zwnj: '\u200c',
  zwj: '\u200d',
  shy: '\u00ad',
  copy: '©',
  reg: '®',
  trade: '™',
  euro: '€',
  pound: '£',
  yen: '¥',
  cent: '¢',
  sect: '§',
  para: '¶',
  deg: '°',
  plusmn: '±',
  times: '×',
  divide: '÷',
  micro: 'µ',
  middot: '·',
  bull: '•',
  hellip: '…',
  ndash: '–',
  mdash: '—',
  lsquo: '‘',
  rsquo: '’',
  sbquo: '‚',
  ldquo: '“',
  rdquo: '”',
  bdquo: '„',
  laquo: '«',
  raquo: '»',
  lsaquo: '‹',
  rsaquo: '›',
  iexcl: '¡',
  iquest: '¿',
  ordf: 'ª',
  ordm: 'º',
  sup1: '¹',
  sup2: '²',
  sup3: '³',
  frac12: '½',
  frac14: '¼',
  frac34: '¾',
  larr: '←',
  rarr: '→',
  uarr: '↑',
  darr: '↓',
  agrave: 'à',
  aacute: 'á',
  acirc: 'â',
  atilde: 'ã',
  auml: 'ä',
  aring: 'å',
  aelig: 'æ',
  ccedil: 'ç',
  egrave: 'è',
  eacute: 'é',
  ecirc: 'ê',
  euml: 'ë',
  igrave: 'ì',
  iacute: 'í',
  icirc: 'î',
  iuml: 'ï',
  eth: 'ð',
  ntilde: 'ñ',
  ograve: 'ò',
  oacute: 'ó',
  ocirc: 'ô',
  otilde: 'õ',
  ouml: 'ö',
  oslash: 'ø',
  ugrave: 'ù',
  uacute: 'ú',
  ucirc: 'û',
  uuml: 'ü',
  yacute: 'ý',
  yuml: 'ÿ',
  thorn: 'þ',
  szlig: 'ß',
  oelig: 'œ',
  scaron: 'š',
  zcaron: 'ž',
  Agrave: 'À',
  Aacute: 'Á',
  Acirc: 'Â',
  Atilde: 'Ã',
  Auml: 'Ä',
  Aring: 'Å',
  AElig: 'Æ',
  Ccedil: 'Ç',
  Egrave: 'È',
  Eacute: 'É',
  Ecirc: 'Ê',
  Euml: 'Ë',
  Igrave: 'Ì',
  Iacute: 'Í',
  Icirc: 'Î',
  Iuml: 'Ï',
  ETH: 'Ð',
  Ntilde: 'Ñ',
  Ograve: 'Ò',
  Oacute: 'Ó',
  Ocirc: 'Ô',
  Otilde: 'Õ',
  Ouml: 'Ö',
  Oslash: 'Ø',
  Ugrave: 'Ù',
  Uacute: 'Ú',
  Ucirc: 'Û',
  Uuml: 'Ü',
  Yacute: 'Ý',
  THORN: 'Þ',
  OElig: 'Œ',
  Scaron: 'Š',
  Zcaron: 'Ž',
  Yuml: 'Ÿ',
};

/** Decodes named (a common set, case-sensitive as in HTML) and numeric character references, once. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#[xX][0-9a-fA-F]{1,6}|#[0-9]{1,7}|[a-zA-Z][a-zA-Z0-9]{1,31});/g, (whole, body: string) => {
    if (body[0] === '#') {
      const code = body[1] === 'x' || body[1] === 'X' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      return Number.isFinite(code) && code > 0 && code <= 0x10ffff && !(code >= 0xd800 && code <= 0xdfff)
        ? String.fromCodePoint(code)
        : whole;
    }
    return ENTITIES[body] ?? ENTITIES[body.toLowerCase()] ?? whole;
  });
}

/** True when `value` (an attribute such as class) holds `word` as a substring, ignoring case. */
export function attrIncludes(tag: HtmlTag, attr: string, word: string): boolean {
  const v = tag.attrs.get(attr);
  return v !== undefined && v.toLowerCase().includes(word);
}
