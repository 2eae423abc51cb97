import { htmlToLines, MAX_HTML_CHARS, type RenderedLine } from './html-to-safe-text.ts';
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

export { htmlToSafeText, MAX_HTML_CHARS } from './html-to-safe-text.ts';
export { sanitizeHtml } from './sanitize-html.ts';

/**
 * Quote and signature stripping for email replies: only the new text of a reply is posted to the ticket's thread.
 *
 * One pass finds the first place where the client's quoted history begins, in this order of evidence:
 * - markers a client leaves in its HTML (Gmail's `gmail_quote`, Thunderbird's `moz-cite-prefix`, Outlook's
 *   `divRplyFwdMsg`/`appendonsend`, Hotmail's `stopSpelling`, Yahoo's `yahoo_quoted`, Samsung's `originalMessage`);
 * - separator lines ("-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded
 *   message:" and their translations), OWA's underscore rule before a header block, and Outlook header blocks
 *   ("From:/Sent:/To:/Subject:", "De:/Enviado:/Para:/Assunto:", "Von:/Gesendet:/An:/Betreff:", …);
 * - attribution lines ("On … wrote:", "Em … escreveu:", "Am … schrieb …:", …), re-joined when the client wrapped
 *   them over up to four lines;
 * - a `>`-quoted block running to the end of the message (or to one of the markers above) that no line ending
 *   with ":" introduces.
 * - a mobile tagline ("Sent from my iPhone", "Get Outlook for Android") after some text: clients put it at the end
 *   of what the writer typed, so what follows is their quote even when it is not marked.
 * What precedes it is the reply; a signature at its end (the "-- " delimiter, a client's signature marker, or a
 * tagline as its last line) is removed too. Everything removed is returned as `trimmed`.
 *
 * The whole text is kept (`trimmed: null`) when the quote holds answers (interleaved or bottom-posted replies), when
 * nothing precedes the quote, or when removing the signature would leave nothing. Names and closing lines are never
 * removed on their own: only the markers above delimit a signature.
 *
 * When a mail has both parts, the text part is used; the HTML part is used instead when the text part is empty or has
 * no recognisable boundary while the HTML has one (the corpus in test/fixtures/replies holds cases of both).
 *
 * Cost: linear in the input. At most MAX_TEXT_CHARS of the text part and MAX_HTML_CHARS of the HTML part are read
 * (`truncated` says when more was there); marker tests run only on lines of at most MAX_MARKER_LINE characters.
 */
export interface ReplyText {
  /** The new text of the reply (the whole message when nothing could safely be removed). */
  text: string;
  /** The removed part (quote, forwarded block, signature), kept so the UI can offer "show trimmed text"; null if none. */
  trimmed: string | null;
  /** Which part of the mail the text comes from. */
  source: 'text' | 'html' | 'none';
  /** True when the part used was longer than the limit and only its beginning was read. */
  truncated: boolean;
}

/** Largest text part read, in UTF-16 code units (about 200 KB); the rest is ignored. */
export const MAX_TEXT_CHARS = 200_000;

interface Line extends RenderedLine {
  /** Normalised text of an unquoted line short enough to be a marker; null otherwise. */
  n: string | null;
  blank: boolean;
}

function prepare(rendered: readonly RenderedLine[]): Line[] {
  const lines: Line[] = new Array(rendered.length);
  for (let k = 0; k < rendered.length; k++) {
    const { text, quoted, mark } = rendered[k]!;
    const short = !quoted && !mark && text.length <= MAX_MARKER_LINE;
    const n = short ? normaliseLine(text) : null;
    const blank = !mark && !quoted && (n !== null ? n === '' : text.trim() === '');
    lines[k] = mark ? { text, quoted, mark, n, blank } : { text, quoted, n, blank };
  }
  return lines;
}

/** A text/plain line is quoted when its first character other than spaces and tabs is `>`. */
function isQuotedLine(line: string): boolean {
  for (let k = 0; k < line.length; k++) {
    const c = line.charCodeAt(k);
    if (c !== 32 && c !== 9) return c === 62;
  }
  return false;
}

/** A line that is only a link ("(http://…) >", "<https://…>"): what a client's re-wrapping leaves of a quoted link. */
const LINK_ONLY = /^[(<]?(?:https?:\/\/|mailto:)\S*[)>]?(?:\s*>)?$/i;
/** The width from which a quoted line was likely wrapped by the client (they wrap at 72 to 78 columns). */
const WRAP_WIDTH = 60;

/**
 * A text/plain line that lost its `>` when a client re-wrapped a long quoted line: it stands between two quoted lines
 * and is either only a link, or a continuation (starts in lower case after a quoted line as long as a wrapped one).
 */
function isLostQuoteContinuation(prev: string, line: string, next: string): boolean {
  const t = line.trim();
  if (t === '' || t.length > MAX_MARKER_LINE) return false;
  if (LINK_ONLY.test(t)) return true;
  return prev.trimEnd().length >= WRAP_WIDTH && /^\p{Ll}/u.test(t) && next.trim() !== '';
}

function textToLines(text: string): RenderedLine[] {
  const parts = text.split(/\r\n|\r|\n/);
  const lines: RenderedLine[] = new Array(parts.length);
  for (let k = 0; k < parts.length; k++) lines[k] = { text: parts[k]!, quoted: isQuotedLine(parts[k]!) };
  for (let k = 1; k + 1 < parts.length; k++) {
    if (
      !lines[k]!.quoted &&
      lines[k - 1]!.quoted &&
      lines[k + 1]!.quoted &&
      isLostQuoteContinuation(parts[k - 1]!, parts[k]!, parts[k + 1]!)
    ) {
      lines[k]!.quoted = true;
    }
  }
  return lines;
}

// ---- small helpers over lines

const isContent = (l: Line): boolean => !l.mark && !l.blank;

function nextContent(lines: readonly Line[], from: number): number {
  let k = from;
  while (k < lines.length && !isContent(lines[k]!)) k++;
  return k;
}

function prevContent(lines: readonly Line[], before: number): number {
  let k = before - 1;
  while (k >= 0 && !isContent(lines[k]!)) k--;
  return k;
}

function hasContent(lines: readonly Line[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (isContent(lines[k]!)) return true;
  return false;
}

const endsWithColon = (n: string | null): boolean => n !== null && (n.endsWith(':') || n.endsWith('：'));
const DATE_OR_TIME = /\d{1,2}[:.h]\d{2}|\d{4}/;

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
  // …or take the whole paragraph when what was found has no date and the paragraph's first line has one
  // ("pon., 3 cze 2024 o 10:02 Ana <a@x>" / "napisał(a):").
  if (!DATE_OR_TIME.test(joined)) {
    let top = start;
    while (top - 1 >= 0 && i - (top - 1) <= 3 && isShortText(lines, top - 1)) top--;
    const aboveIsBreak = top === 0 || lines[top - 1]!.blank;
    if (top < start && aboveIsBreak && DATE_OR_TIME.test(lines[top]!.n!)) return top;
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
  if (introduced) return j; // "This is what the console shows:" followed by quoted lines
  if (j >= lines.length) return 'cut';
  return isStrongBoundary(lines, j) ? 'cut' : j;
}

interface Cut {
  at: number;
  /** 'quote': `>`-quoted history follows, in which answers may be interleaved; 'hard': everything after is history. */
  kind: 'hard' | 'quote';
  regionFrom: number;
}

function findCut(lines: readonly Line[]): Cut | null {
  let textAbove = false;
  for (let i = 0; i < lines.length; i++) {
    const l = lines[i]!;
    if (i > 0 && isContent(lines[i - 1]!)) textAbove = true; // some text precedes line i
    if (l.mark === 'hard') return { at: i, kind: 'hard', regionFrom: i + 1 };
    if (l.mark === 'soft') return { at: i, kind: 'quote', regionFrom: i + 1 };
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
function regionHasAnswers(lines: readonly Line[], from: number): boolean {
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

function render(lines: readonly Line[], from: number, to: number, collapse: boolean): string {
  const out: string[] = [];
  let blank = false;
  for (let k = from; k < to; k++) {
    const l = lines[k]!;
    if (l.mark) continue;
    if (l.blank) {
      if (out.length > 0) {
        if (collapse) blank = true;
        else out.push('');
      }
      continue;
    }
    if (blank) out.push('');
    blank = false;
    out.push(l.text.trimEnd());
  }
  while (out.length > 0 && out[out.length - 1] === '') out.pop();
  return out.join('\n');
}

function extractFromLines(lines: Line[], source: 'text' | 'html', truncated: boolean): ReplyText {
  const collapse = source === 'html';
  const whole = (): ReplyText => ({ text: render(lines, 0, lines.length, collapse), trimmed: null, source, truncated });
  let end = lines.length;
  const cut = findCut(lines);
  if (cut) {
    if (cut.kind === 'quote' && regionHasAnswers(lines, cut.regionFrom)) return whole();
    end = cut.at;
    if (!hasContent(lines, 0, end)) return whole(); // only a quote, or a reply written below it
  }
  // A signature at the end of the reply: the first delimiter or signature marker with text above it, else a mobile
  // tagline as the last line.
  let sig = end;
  let textAbove = false;
  for (let k = 0; k < end; k++) {
    const l = lines[k]!;
    const delimiter = l.mark === 'sig' || (l.n !== null && isSignatureDelimiter(l.n));
    if (delimiter && textAbove) {
      sig = k;
      break;
    }
    if (isContent(l)) textAbove = true;
  }
  if (sig === end) {
    const last = prevContent(lines, end);
    if (last >= 0 && lines[last]!.n && isMobileTagline(lines[last]!.n!) && hasContent(lines, 0, last)) sig = last;
  }
  if (sig === lines.length) return whole();
  const trimmed = render(lines, sig, lines.length, collapse);
  return { text: render(lines, 0, sig, collapse), trimmed: trimmed === '' ? null : trimmed, source, truncated };
}

function fromText(text: string): ReplyText {
  const truncated = text.length > MAX_TEXT_CHARS;
  let body = text;
  if (truncated) {
    body = text.slice(0, MAX_TEXT_CHARS);
    const nl = body.lastIndexOf('\n');
    if (nl > 0) body = body.slice(0, nl);
  }
  return extractFromLines(prepare(textToLines(body)), 'text', truncated);
}

function fromHtml(html: string): ReplyText {
  return extractFromLines(prepare(htmlToLines(html, true)), 'html', html.length > MAX_HTML_CHARS);
}

const hasText = (s: string): boolean => /\S/.test(s);

/**
 * The new text of an email reply, with the quoted history, forwarded content and signature removed (see ReplyText).
 * Pure and linear; `text` is the text/plain part, `html` the text/html part, either may be missing.
 */
export function extractReply(input: { text?: string | null; html?: string | null }): ReplyText {
  const text = input.text ?? '';
  const html = input.html ?? '';
  if (text && hasText(text.length > MAX_TEXT_CHARS ? text.slice(0, MAX_TEXT_CHARS) : text)) {
    const plain = fromText(text);
    if (plain.trimmed !== null || !html) return plain;
    const rich = fromHtml(html);
    return rich.trimmed !== null && hasText(rich.text) ? rich : plain;
  }
  if (html) {
    const rich = fromHtml(html);
    if (hasText(rich.text)) return rich;
  }
  return { text: '', trimmed: null, source: 'none', truncated: false };
}
