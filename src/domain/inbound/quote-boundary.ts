import { hasContent, isContent, nextContent, prevContent, type Line } from './reply-lines.ts';
import {
  headerKey,
  isAttribution,
  isAttributionWithoutColon,
  isFromKey,
  isInlineAttribution,
  isInlineHeaderBlock,
  isMobileTagline,
  isOtherHeaderKey,
  isSeparatorLine,
  isSignatureDelimiter,
  isUnderscoreRule,
  MAX_MARKER_LINE,
  normaliseLine,
  startsLikeAttribution,
} from './reply-markers.ts';

const endsWithColon = (n: string | null): boolean => n !== null && (n.endsWith(':') || n.endsWith('：'));

const DATE_OR_TIME = /\p{Nd}{1,2}[:.h]\p{Nd}{2}|\p{Nd}{4}/u;
const TIME = /\p{Nd}{1,2}[:.]\p{Nd}{2}/u;

/** "Key: value" in any language: a key of at most four words before the first colon, and a value. */
const GENERIC_HEADER = /^[^:：]{1,30}[:：]\s*\S/u;

/**
 * After Outlook's border-top box (a 'head' mark): a header block in whatever language, that is at least three
 * "Key: value" lines in a row, one of them with an address or a time.
 */
function headerBlockFollows(lines: readonly Line[], from: number): boolean {
  let count = 0;
  let evidence = false;
  for (let k = nextContent(lines, from); k < lines.length && count < 12; k++) {
    const n = lines[k]!.n;
    if (!n || !GENERIC_HEADER.test(n)) break;
    const key = n.slice(0, Math.max(n.indexOf(':'), n.indexOf('：')));
    if (key.trim().split(/\s+/).length > 4) break;
    count++;
    if (n.includes('@') || TIME.test(n)) evidence = true;
  }
  return count >= 3 && evidence;
}

/** The text of a quoted line without its `>` marks, normalised as a marker line ('' when too long to be one). */
function unquoted(text: string): string {
  if (text.length > MAX_MARKER_LINE) return '';
  let k = 0;
  while (k < text.length && (text[k] === '>' || text[k] === ' ' || text[k] === '\t')) k++;
  return normaliseLine(text.slice(k));
}

/** The `>` block [i, j) starts with a forward: a separator ("---------- Forwarded message ---------") or a header block. */
function quoteStartsForward(lines: readonly Line[], i: number, j: number): boolean {
  const texts: string[] = [];
  for (let k = i; k < j && texts.length < 4; k++) {
    const t = lines[k]!.quoted ? unquoted(lines[k]!.text) : '';
    if (t) texts.push(t);
  }
  if (texts.length === 0) return false;
  if (isSeparatorLine(texts[0]!)) return true;
  return isFromKey(headerKey(texts[0]!)) && texts.slice(1).filter((t) => isOtherHeaderKey(headerKey(t))).length >= 2;
}

// ---- boundary tests at one line

/** An Outlook-style header block starts at line i: a From line followed by at least two other header lines. */
function startsHeaderBlock(lines: readonly Line[], i: number): boolean {
  const n = lines[i]!.n;
  if (!n) return false;
  if (isInlineHeaderBlock(n)) return true;
  if (!isFromKey(headerKey(n))) return false;
  const seen = new Set<string>();
  let blanks = 0;
  let continuation = 0;
  for (let j = i + 1; j < lines.length && j <= i + 10; j++) {
    const l = lines[j]!;
    if (l.mark || l.quoted) break;
    if (l.blank) {
      if (++blanks > 1) break;
      continue;
    }
    if (l.n === null) break;
    const key = headerKey(l.n);
    if (isOtherHeaderKey(key)) seen.add(key!);
    else if (key === null && ++continuation <= 2)
      continue; // a wrapped From:, To: or Cc: value
    else break;
  }
  return seen.size >= 2;
}

/** A header block found at its From line i may begin with header lines right above it ("Date: …" then "From: …"). */
function headerBlockTop(lines: readonly Line[], i: number): number {
  let top = i;
  while (top - 1 >= 0 && i - (top - 1) <= 3 && lines[top - 1]!.n && isOtherHeaderKey(headerKey(lines[top - 1]!.n!)))
    top--;
  return top;
}

/** Line k exists and is a non-empty unquoted line short enough to be part of a marker. */
function isShortText(lines: readonly Line[], k: number): boolean {
  if (k < 0) return false;
  const n = lines[k]!.n;
  return n !== null && n !== '';
}

/**
 * When line i ends an attribution, the index of its first line (attributions wrapped by the client span up to four
 * lines); otherwise -1.
 */
function attributionEndingAt(lines: readonly Line[], i: number): number {
  const last = lines[i]!.n;
  if (!last) return -1;
  if (!endsWithColon(last)) return isAttributionWithoutColon(last) ? i : -1;
  const k0 = nextContent(lines, i + 1);
  const quotedNext = k0 < lines.length && lines[k0]!.quoted;
  let joined = last;
  let found = -1;
  for (let k = 0; k <= 3; k++) {
    if (k > 0) {
      if (!isShortText(lines, i - k)) break;
      joined = `${lines[i - k]!.n!} ${joined}`;
    }
    if (isAttribution(joined, quotedNext)) {
      found = k;
      break;
    }
  }
  if (found < 0) return -1;
  const start = i - found;
  if (startsLikeAttribution(lines[start]!.n!)) return start;
  // Wrapped: look for the line that opens it ("On …", "Em …") just above…
  for (let k = found + 1; k <= 3 && isShortText(lines, i - k); k++) {
    const n = lines[i - k]!.n!;
    if (startsLikeAttribution(n) && /\d/.test(n)) return i - k;
  }
  // …or take the whole paragraph when what was found has no date and the lines above it in the paragraph have one
  // ("pon., 3 cze 2024 o 10:02 Ana <a@x>" / "napisał(a):").
  if (!DATE_OR_TIME.test(joined)) {
    let top = start;
    while (top - 1 >= 0 && i - (top - 1) <= 3 && isShortText(lines, top - 1)) top--;
    const aboveIsBreak = top === 0 || lines[top - 1]!.blank;
    let paragraph = '';
    for (let k = top; k < start; k++) paragraph += ` ${lines[k]!.n!}`;
    // The date may be on any of the paragraph's lines ("Ana Silva (Support)" / "<a@x>, 4 Haz 2024 09:15 tarihinde şunu"
    // / "yazdı:").
    if (top < start && aboveIsBreak && DATE_OR_TIME.test(paragraph)) return top;
  }
  return start;
}

/** A line that certainly starts quoted history or a signature (used after a quote to tell answers from history). */
function isStrongBoundary(lines: readonly Line[], k: number): boolean {
  const l = lines[k]!;
  if (l.mark) return true;
  const n = l.n;
  if (!n) return false;
  if (isSeparatorLine(n) || isInlineAttribution(n) || isSignatureDelimiter(n) || isMobileTagline(n)) return true;
  if (isUnderscoreRule(n)) return true;
  if (startsHeaderBlock(lines, k)) return true;
  for (let e = k; e <= k + 3 && e < lines.length; e++) {
    const s = attributionEndingAt(lines, e);
    if (s >= 0 && s <= k) return true;
    if (!lines[e]!.n) break;
  }
  return false;
}

/**
 * A `>` block starting at line i with no attribution before it: 'cut' when it is quoted history, otherwise the index
 * to resume scanning from (the block is part of the message: a quoted log, or an answer between quotes).
 */
function bareQuote(lines: readonly Line[], i: number): 'cut' | number {
  let j = i;
  while (j < lines.length && (lines[j]!.quoted || lines[j]!.blank || lines[j]!.mark === 'soft')) j++;
  const prev = prevContent(lines, i);
  const introduced = prev >= 0 && !lines[prev]!.quoted && endsWithColon(lines[prev]!.n);
  // "This is what the console shows:" followed by quoted lines is the message; a forward quoted after "See below:" is not.
  if (introduced) return quoteStartsForward(lines, i, j) ? 'cut' : j;
  if (j >= lines.length) return 'cut';
  return isStrongBoundary(lines, j) ? 'cut' : j;
}

interface Cut {
  at: number;
  /** 'quote': `>`-quoted history follows, in which answers may be interleaved; 'hard': everything after is history. */
  kind: 'hard' | 'quote';
  regionFrom: number;
}

export function findCut(lines: readonly Line[]): Cut | null {
  let textAbove = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (i > 0 && isContent(lines[i - 1]!)) textAbove = true; // some text precedes line i
    if (l.mark === 'hard') return { at: i, kind: 'hard', regionFrom: i + 1 };
    if (l.mark === 'soft') return { at: i, kind: 'quote', regionFrom: i + 1 };
    if (l.mark === 'head' && headerBlockFollows(lines, i + 1)) return { at: i, kind: 'hard', regionFrom: i + 1 };
    if (l.mark === 'cite') {
      // Apple Mail's `<blockquote type="cite">` after a line ending with a colon that holds a time: that line is the
      // attribution, in whatever language (a colon line without a time introduces a quoted log: kept).
      const p = prevContent(lines, i);
      const n = p >= 0 ? lines[p]!.n : null;
      if (n && endsWithColon(n) && n.length <= 300 && TIME.test(n) && hasContent(lines, 0, p))
        return { at: p, kind: 'quote', regionFrom: i + 1 };
    }
    if (l.mark) continue;
    if (l.quoted) {
      const r = bareQuote(lines, i);
      if (r === 'cut') return { at: i, kind: 'quote', regionFrom: i };
      textAbove = true;
      i = r - 1;
      continue;
    }
    const n = l.n;
    if (!n) continue;
    if (isSeparatorLine(n) || isInlineAttribution(n)) return { at: i, kind: 'hard', regionFrom: i + 1 };
    if (startsHeaderBlock(lines, i)) return { at: headerBlockTop(lines, i), kind: 'hard', regionFrom: i + 1 };
    // A mobile tagline ends what the writer typed: what follows is the client's quote, marked or not.
    if (textAbove && isMobileTagline(n)) return { at: i, kind: 'hard', regionFrom: i + 1 };
    if (isUnderscoreRule(n)) {
      const k = nextContent(lines, i + 1);
      if (k < lines.length && k <= i + 3 && startsHeaderBlock(lines, k))
        return { at: i, kind: 'hard', regionFrom: i + 1 };
    }
    const start = attributionEndingAt(lines, i);
    if (start >= 0) {
      const k = nextContent(lines, i + 1);
      const quoted = k < lines.length && lines[k]!.quoted;
      return { at: start, kind: quoted ? 'quote' : 'hard', regionFrom: i + 1 };
    }
  }
  return null;
}

/** True when unquoted text follows quoted lines inside the region: the writer answered between or below quotes. */
export function regionHasAnswers(lines: readonly Line[], from: number): boolean {
  let seenQuoted = false;
  for (let k = from; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.mark === 'hard') return false;
    if (l.mark) continue;
    if (l.quoted) {
      seenQuoted = true;
      continue;
    }
    if (l.blank || !seenQuoted) continue;
    return !isStrongBoundary(lines, k);
  }
  return false;
}
