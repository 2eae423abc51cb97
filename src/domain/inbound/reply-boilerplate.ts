import { hasContent, isContent, nextContent, type Line } from './reply-lines.ts';
import { allOf } from './reply-languages.ts';

/**
 * Boilerplate that mail systems add to what the writer typed, in the languages of reply-languages.ts:
 * - an external-sender banner at the top ("CAUTION: This email originated from outside of the organization…",
 *   "[EXTERNAL]", Microsoft's "You don't often get email from …"), as its own paragraph or as a tag before the text;
 * - a confidentiality disclaimer at the end ("This email and any files transmitted with it are confidential…").
 * Both work on paragraphs (runs of content lines) of at most MAX_PARAGRAPH characters, so the cost stays linear.
 */

const MAX_PARAGRAPH = 2000;
const BANNER_TAGS = allOf('banners').filter((b) => b.startsWith('[') || b.startsWith('*'));
const BANNER_PHRASES = allOf('banners').filter((b) => !BANNER_TAGS.includes(b));
const BANNER_WARNINGS = allOf('bannerWarnings');
const DISCLAIMER_TERMS = allOf('disclaimers');

/** The paragraph starting at `from`: the index after it, and its lower-cased text (null when it is too long). */
function paragraph(lines: readonly Line[], from: number): { text: string | null; end: number } {
  const parts: string[] = [];
  let size = 0;
  let k = from;
  while (k < lines.length && isContent(lines[k]!) && !lines[k]!.quoted) {
    size += lines[k]!.text.length + 1;
    if (size <= MAX_PARAGRAPH) parts.push(lines[k]!.text.trim());
    k++;
  }
  return { text: size <= MAX_PARAGRAPH ? parts.join(' ').toLowerCase() : null, end: k };
}

/** A banner tag at the start of a line ("[EXTERNAL]", "[Externo]"), as the lower-cased tag, or null. */
function bannerTag(text: string): string | null {
  const t = text.trimStart().toLowerCase();
  for (const tag of BANNER_TAGS) {
    if (t.startsWith(tag) && (t.length === tag.length || /[\s:\-–]/u.test(t[tag.length]!))) return tag;
  }
  return null;
}

/**
 * Where the reply [from, to) starts once an external-sender banner at its top is left out. When the banner is a tag
 * before the first words ("[EXTERNE] Merci"), `lines` gets a copy of that line without it, and `tag` is what was cut.
 */
export function skipBanner(
  lines: Line[],
  from: number,
  to: number,
  html: boolean,
): { start: number; tag: string | null } {
  const none = { start: from, tag: null };
  const first = nextContent(lines, from);
  if (first >= to || lines[first]!.quoted) return none;
  const line = lines[first]!;
  const tag = bannerTag(line.text);
  const p = paragraph(lines, first);
  const text = p.text;
  // A paragraph is a banner when it holds one of the phrases and starts with it or with a tag, or holds a warning word
  // too: "we cannot receive external email" is the message.
  const phrase =
    text !== null &&
    BANNER_PHRASES.some((b) => text.includes(b)) &&
    (tag !== null || BANNER_PHRASES.some((b) => text.startsWith(b)) || BANNER_WARNINGS.some((w) => text.includes(w)));
  if (tag !== null && !phrase) {
    const trimmed = line.text.trimStart();
    const rest = trimmed.slice(tag.length).replace(/^[\s:\-–]+/u, '');
    if (rest === '') return hasContent(lines, first + 1, to) ? { start: first + 1, tag: null } : none;
    lines[first] = { ...line, text: rest, n: line.n === null ? null : rest };
    return { start: first, tag: trimmed.slice(0, trimmed.length - rest.length).trim() };
  }
  if (!phrase) return none;
  // In text the banner is a paragraph of its own. In HTML it is a table or box whose lines may run straight into the
  // reply's (Outlook's paragraphs have no margin): there it ends with the first of its lines that ends a sentence.
  let end = p.end;
  if (html) {
    end = first;
    while (end < p.end && !/[.!)\]]$/u.test(lines[end]!.text.trim())) end++;
    end = Math.min(end + 1, p.end);
  }
  return hasContent(lines, end, to) ? { start: end, tag: null } : none;
}

/** Terms of the text, not counting one that is part of another found ("confidencial" in "confidenciais"). */
function distinctTerms(text: string): number {
  const found = DISCLAIMER_TERMS.filter((t) => text.includes(t));
  return found.filter((t) => !found.some((u) => u !== t && u.includes(t))).length;
}

/**
 * Where a confidentiality disclaimer begins in the reply [from, to): the trailing run of paragraphs, after some text,
 * each at least MIN_DISCLAIMER characters long and naming two of the disclaimer terms; `to` when there is none. A
 * paragraph with those words that text follows is the message.
 */
const MIN_DISCLAIMER = 80;
export function disclaimerStart(lines: readonly Line[], from: number, to: number): number {
  let k = nextContent(lines, from);
  let textAbove = false;
  let run = -1; // start of the trailing run of disclaimer paragraphs
  while (k < to) {
    const { text, end } = paragraph(lines, k);
    const disclaimer = textAbove && text !== null && text.length >= MIN_DISCLAIMER && distinctTerms(text) >= 2;
    if (disclaimer && run < 0) run = k;
    else if (!disclaimer) run = -1;
    textAbove = true;
    k = nextContent(lines, Math.max(end, k + 1));
  }
  return run >= 0 ? run : to;
}
