/**
 * Line classifiers for quote and signature detection in email replies. Each works on one line already normalised
 * with `normaliseLine` and at most MAX_MARKER_LINE long (longer lines are message text, never markers), so every test
 * here costs a bounded amount per line. No expression has nested quantifiers; none scans back from a `$` anchor over
 * an unbounded run.
 */

import { allOf } from './reply-languages.ts';

export const MAX_MARKER_LINE = 1000;

const escapeRe = (s: string): string => s.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
/** Scripts written without spaces between words: their phrases need no word boundary. */
const UNSPACED = /[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]/u;
/** An alternation of phrases, longest first (so "napisał(a)" wins over "napisał"). */
const alternation = (phrases: readonly string[]): string =>
  [...phrases]
    .sort((a, b) => b.length - a.length)
    .map(escapeRe)
    .join('|');
const spaced = (phrases: readonly string[]): string[] => phrases.filter((p) => !UNSPACED.test(p));
const unspaced = (phrases: readonly string[]): string[] => phrases.filter((p) => UNSPACED.test(p));

/**
 * Trims, turns no-break spaces into spaces and drops zero-width and bidirectional formatting characters (iOS puts
 * U+FEFF in quotes; Gmail wraps Hebrew and Arabic attributions in U+202B … U+202C with U+200F marks).
 */
const SPECIAL_SPACE = /[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff\u00a0\u2007\u202f]/;
export function normaliseLine(line: string): string {
  if (!SPECIAL_SPACE.test(line)) return line.trim();
  return line
    .replace(/[\u200b-\u200f\u202a-\u202e\u2060\u2066-\u2069\ufeff]/g, '')
    .replace(/[\u00a0\u2007\u202f]/g, ' ')
    .trim();
}

const lower = (s: string): string => s.toLowerCase();

// ---- signatures

/** RFC 3676 signature delimiter `-- ` (many clients drop the trailing space). */
export const isSignatureDelimiter = (n: string): boolean => n === '--';

const TAGLINE_START = new RegExp(
  `^(?:${alternation(spaced(allOf('taglines')))})(?=[\\s-]|$)|^(?:${alternation(unspaced(allOf('taglines')))})`,
  'u',
);
const TAGLINE_END = new RegExp(
  `(?:^|[\\s-])(?:${alternation(spaced(allOf('taglineEnds')))})$|(?:${alternation(unspaced(allOf('taglineEnds')))})$`,
  'u',
);
const TAGLINE_DEVICE = new RegExp(`${alternation(allOf('devices'))}|(?:^|\\s)ios(?:\\s|$)`, 'u');

/**
 * A mobile or webmail tagline: "Sent from my iPhone", "Get Outlook for Android<https://aka.ms/…>", "Von meinem iPhone
 * gesendet", "iPhoneから送信": a phrase of reply-languages.ts at its start (or end) and a device or app name.
 */
export function isMobileTagline(n: string): boolean {
  if (n.length < 8 || n.length > 160) return false;
  let s = lower(n);
  // A trailing link: "<https://aka.ms/o0ukef>" (Outlook text parts) or " (https://…)" (our HTML rendering).
  const cut = Math.max(s.lastIndexOf('<http'), s.lastIndexOf('(http'));
  if (cut > 0) s = s.slice(0, cut).trim();
  if (s.length > 80 || /[?,;]/.test(s)) return false; // a tagline is a short phrase, not a sentence of the message
  // "Sent from my Android device with K-9 Mail. Please excuse my brevity.": the tagline is the first sentence, and
  // what follows it is a few words at most.
  const stop = s.indexOf('. ');
  const twoSentences = stop > 0 && s.length - stop <= 40;
  if (twoSentences) s = s.slice(0, stop);
  s = s.replace(/[.!]+$/, '');
  if (s.split(' ').length > (twoSentences ? 10 : 8)) return false;
  return (TAGLINE_START.test(s) || TAGLINE_END.test(s)) && TAGLINE_DEVICE.test(s);
}

// ---- forwarded and original-message separators

const SEPARATOR_PHRASES = new Set(allOf('separators'));
const APPLE_FORWARD = new Set(allOf('forwardIntros'));

const isRule = (c: string): boolean =>
  c === '-' || c === '–' || c === '—' || c === '_' || c === '=' || c === ' ' || c === '*';

/** "-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded message:", and translations. */
export function isSeparatorLine(n: string): boolean {
  if (n.length < 8 || n.length > 120) return false;
  if (!isRule(n[0]!) && !n.endsWith(':')) return false;
  let a = 0;
  let b = n.length;
  while (a < b && isRule(n[a]!)) a++;
  while (b > a && isRule(n[b - 1]!)) b--;
  const ruled = a >= 2 && n.length - b >= 2;
  let core = lower(n.slice(a, b)).replace(/\s+/g, ' ');
  const colon = core.endsWith(':');
  if (colon) core = core.slice(0, -1).trim();
  if (ruled && SEPARATOR_PHRASES.has(core)) return true;
  // "-----Reply Message-----", "-----Antwort Nachricht-----": a short phrase naming a message between runs of five
  // or more dashes, the shape of Outlook's and webmail separators in languages the list above does not hold.
  if (
    a >= 5 &&
    n.length - b >= 5 &&
    n[0] === '-' &&
    n[n.length - 1] === '-' &&
    core.length <= 40 &&
    MESSAGE_WORD.test(core)
  )
    return true;
  return colon && APPLE_FORWARD.has(core);
}

const MESSAGE_WORD = new RegExp(`(?:^|\\s)(?:${alternation(allOf('messageWords'))})(?:\\s|$)`, 'u');

/** OWA's and Outlook mobile's "________________________________" line before the header block. */
export function isUnderscoreRule(n: string): boolean {
  if (n.length < 10 || n.length > 200) return false;
  for (let k = 0; k < n.length; k++) if (n[k] !== '_') return false;
  return true;
}

// ---- Outlook-style header blocks

const FROM_KEYS = new Set(allOf('fromKeys'));
const OTHER_KEYS = new Set(allOf('headerKeys'));

/** The header name of a "Key: value" line (`*From:*` and `De :` accepted), lower case, or null. */
export function headerKey(n: string): string | null {
  let idx = n.indexOf(':');
  const wide = n.indexOf('：');
  if (wide >= 0 && (idx < 0 || wide < idx)) idx = wide;
  if (idx < 1 || idx > 30) return null;
  const key = lower(n.slice(0, idx).replace(/\*/g, '').trim()).replace(/\s+/g, ' ');
  return key || null;
}

export const isFromKey = (key: string | null): boolean => key !== null && FROM_KEYS.has(key);
export const isOtherHeaderKey = (key: string | null): boolean => key !== null && OTHER_KEYS.has(key);

const INLINE_KEYS =
  /\s\*?(sent|to|subject|date|cc|enviado|enviada|para|assunto|asunto|fecha|data|gesendet|an|betreff|datum|envoyé|à|objet|inviato|a|oggetto|verzonden|aan|onderwerp)\*?\s?:\s/giu;
const INLINE_FROM = /\s\*?(?:from|de|von|da|van)\*?\s?:\s/iu;
const DATE_KEYS = new Set(allOf('dateKeys'));

/**
 * A header block squeezed on one line: Outlook's "From: X Sent: Monday … To: Y Subject: Z", or a webmail's
 * "Date: Tue, 2 Oct 2012 … From: X To: Y Subject: Z".
 */
export function isInlineHeaderBlock(n: string): boolean {
  const key = headerKey(n);
  const from = isFromKey(key);
  if (!from && !(key !== null && DATE_KEYS.has(key) && INLINE_FROM.test(n))) return false;
  const seen = new Set<string>();
  for (const m of n.matchAll(INLINE_KEYS)) seen.add(lower(m[1]!));
  return seen.size >= 2;
}

// ---- attribution lines

const WROTE = allOf('wroteAtEnd');
/** Verbs that end an attribution: "… wrote:", "… escreveu:", "… a écrit :", "… het volgende geschreven:", "…写道：". */
const VERB_AT_END = new RegExp(
  `(?:(?:^|[\\s,>)])(?:${alternation(spaced(WROTE))})|(?:${alternation(unspaced(WROTE))}))\\s*[:：]$`,
  'iu',
);
/** Verbs that stand in the middle in verb-second languages: "Am 03.06.2024 um 10:02 schrieb Ana <a@x>:". */
const VERB_IN_MIDDLE = new RegExp(`(?:^|\\s)(?:${alternation(allOf('wroteInside'))})(?:\\s|$)`, 'iu');
/** How attributions begin: "On …", "Em …", "El …", "Am …", "Le …", "Il giorno …", "Op …", "Den …", "W dniu …". */
const OPENER = new RegExp(`^(?:${alternation(allOf('openers'))})\\s`, 'iu');
const DIGIT = /\p{Nd}/u;

export const startsLikeAttribution = (n: string): boolean => OPENER.test(n);

/**
 * Whether `joined` (one attribution, possibly re-joined from wrapped lines) reads as one. `quotedNext`: the next
 * non-empty line is `>`-quoted, which lets a date-less "Ana wrote:" or a verb-less "2024年6月3日(月) 10:02 Ana <a@x>:"
 * count.
 */
export function isAttribution(joined: string, quotedNext: boolean): boolean {
  if (joined.length > 600) return false;
  const last = joined[joined.length - 1];
  if (last !== ':' && last !== '：') return false;
  const digit = DIGIT.test(joined);
  const at = joined.includes('@');
  if (!digit && !at && !quotedNext) return false;
  const tail = joined.length > 80 ? joined.slice(-80) : joined;
  if (VERB_AT_END.test(tail)) return digit || at || quotedNext;
  if (VERB_IN_MIDDLE.test(joined)) return digit && (at || OPENER.test(joined) || quotedNext);
  // No verb ("2024年6月3日(月) 10:02 Ana <a@x>:", "ср, 30 апр. 2025 г. в 15:19, Ana <a@x>:", "30.09.2017, 18:30, "Ana" <a@x>:"):
  // a date or time and an address right before the colon; a quote after it, or a time in it.
  if (!digit || !at || !/[<(]?[^\s<>()]+@[^\s<>()]+[>)]?\s*[:：]$/u.test(tail)) return false;
  return quotedNext || (joined.length <= 200 && /\p{Nd}{1,2}[:.]\p{Nd}{2}/u.test(joined));
}

const VERB_NO_COLON = new RegExp(`(?:^|[\\s,>)])(?:${alternation(spaced(WROTE))})$`, 'iu');

/** An attribution whose client left out the colon: "On Wed, 14 Nov 2018 08:14:43 -0200 Ana <a@x.com> wrote". */
export function isAttributionWithoutColon(n: string): boolean {
  if (n.length > 300) return false;
  // Set between rules ("------On 12/29/1987 17:32 PM, Ana wrote-----", Zoho's "---- On … wrote ----"): the rules
  // mark the line as the client's, so no address is needed.
  let a = 0;
  let b = n.length;
  while (a < b && n[a] === '-') a++;
  while (b > a && n[b - 1] === '-') b--;
  const ruled = a >= 2 && n.length - b >= 2;
  const core = ruled ? n.slice(a, b).trim() : n;
  if (!OPENER.test(core) || !(ruled || core.includes('@')) || !DIGIT.test(core)) return false;
  return VERB_NO_COLON.test(core.length > 80 ? core.slice(-80) : core);
}

const INLINE_VERB = new RegExp(`(?:${alternation(spaced(WROTE))})\\s*:\\s+\\S`, 'iu');

/**
 * An attribution with the quoted text run on after it on the same line, as Yahoo Mail for Android writes its
 * text part: "On Tue, Jun 4, 2024 at 9:15, Ana<ana@x.com> wrote:   Hello Tom,".
 */
export function isInlineAttribution(n: string): boolean {
  return OPENER.test(n) && DIGIT.test(n) && n.includes('@') && INLINE_VERB.test(n);
}
