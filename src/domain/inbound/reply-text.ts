import { htmlToLines, MAX_HTML_CHARS } from './html-to-safe-text.ts';
import { findCut, regionHasAnswers } from './quote-boundary.ts';
import { hasContent, isContent, prepare, prevContent, textToLines, type Line } from './reply-lines.ts';
import { replyMarkerCut } from './reply-above-marker.ts';
import { isMobileTagline, isSignatureDelimiter } from './reply-markers.ts';
import { disclaimerStart, skipBanner } from './reply-boilerplate.ts';

export { htmlToSafeText, MAX_HTML_CHARS } from './html-to-safe-text.ts';

export { sanitizeHtml } from './sanitize-html.ts';

/**
 * Quote and signature stripping for email replies: only the new text of a reply is posted to the ticket's thread.
 *
 * One pass finds the first place where the client's quoted history begins, in this order of evidence:
 * - Parley's reply marker ("##- Reply above this line -##", in any language, quoted or re-wrapped: everything from it
 *   down is the mail Parley sent; reply-above-marker.ts), unless another boundary comes before it;
 * - markers a client leaves in its HTML (Gmail's `gmail_quote`, Thunderbird's `moz-cite-prefix`, Outlook's
 *   `divRplyFwdMsg`/`appendonsend`, Hotmail's `stopSpelling`, Yahoo's `yahoo_quoted`, Samsung's `originalMessage`),
 *   and structure that holds in any language: Outlook's border-top box when a "Key: value" block follows it, and the
 *   colon line with a time before Apple's top-level `blockquote type="cite"`;
 * - separator lines ("-----Original Message-----", "---------- Forwarded message ---------", "Begin forwarded
 *   message:" and their translations), OWA's underscore rule before a header block, and Outlook header blocks
 *   ("From:/Sent:/To:/Subject:", "De:/Enviado:/Para:/Assunto:", "Von:/Gesendet:/An:/Betreff:", …);
 * - attribution lines ("On … wrote:", "Em … escreveu:", "Am … schrieb …:", …), re-joined when the client wrapped
 *   them over up to four lines;
 * - a `>`-quoted block running to the end of the message (or to one of the markers above) that no line ending
 *   with ":" introduces, or that starts with a forward (separator or header block) even when one does.
 * - a mobile tagline ("Sent from my iPhone", "Get Outlook for Android") after some text: clients put it at the end
 *   of what the writer typed, so what follows is their quote even when it is not marked.
 * The words of these markers, in 25 languages, are the data of reply-languages.ts. What precedes the boundary is the
 * reply; an external-sender banner at its top and a confidentiality disclaimer at its end (reply-boilerplate.ts), and
 * a signature at its end (the "-- " delimiter, a client's signature marker, or a tagline as its last line) are removed
 * too. Everything removed is returned as `trimmed`.
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
  /**
   * The reply as the HTML it was written in, cut from the HTML part at the same boundaries (quote, banner, signature)
   * as its text; unsanitized: a slice of the mail's markup. Null when the mail has no HTML part, or when cutting the
   * HTML does not agree with the text used (one part's quote found, the other's not).
   */
  html: string | null;
}

/** Largest text part read, in UTF-16 code units (about 200 KB); the rest is ignored. */
export const MAX_TEXT_CHARS = 200_000;

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

/** The slice of `html` that lines [from, to) were rendered from (lines of HTML carry where they begin). */
function htmlSlice(html: string | null, lines: readonly Line[], from: number, to: number): string | null {
  if (html === null) return null;
  const begin = from > 0 && from < lines.length ? lines[from]!.at : 0;
  const end = to < lines.length ? lines[to]!.at : html.length;
  // A line that does not say where it begins cannot bound the slice: the text stands alone rather than keep the
  // banner or the quote it would let in.
  if (begin === undefined || end === undefined) return null;
  return html.slice(begin, Math.max(begin, end));
}

function extractFromLines(
  lines: Line[],
  source: 'text' | 'html',
  truncated: boolean,
  html: string | null = null,
): ReplyText {
  const collapse = source === 'html';
  let end = lines.length;
  let keepAll = false; // the quote holds answers, or nothing precedes it
  const cut = findCut(lines);
  // Parley's own marker: everything from it down is the mail Parley sent, whatever else the quote holds.
  const marker = replyMarkerCut(lines);
  if (marker !== null && hasContent(lines, 0, marker)) {
    end = cut && cut.at < marker && hasContent(lines, 0, cut.at) ? cut.at : marker;
  } else if (cut) {
    if (cut.kind === 'quote' && regionHasAnswers(lines, cut.regionFrom)) keepAll = true;
    else if (!hasContent(lines, 0, cut.at))
      keepAll = true; // only a quote, or a reply written below it
    else end = cut.at;
  }
  // An external-sender banner at the top is never the writer's.
  const { start, tag } = skipBanner(lines, 0, end, collapse);
  const removedAbove = [tag ?? '', render(lines, 0, start, collapse)].filter((s) => s !== '').join('\n');
  const result = (to: number): ReplyText => {
    const below = to < lines.length ? render(lines, to, lines.length, collapse) : '';
    const trimmed = [removedAbove, below].filter((s) => s !== '').join('\n\n');
    return {
      text: render(lines, start, to, collapse),
      trimmed: trimmed === '' ? null : trimmed,
      source,
      truncated,
      html: htmlSlice(html, lines, start, to),
    };
  };
  if (keepAll) return result(lines.length);
  // A confidentiality disclaimer at its end goes with what follows it.
  end = disclaimerStart(lines, start, end);
  // A signature at the end of the reply: the first delimiter or signature marker with text above it, else a mobile
  // tagline as the last line.
  let sig = end;
  let textAbove = false;
  for (let k = start; k < end; k++) {
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
    if (last >= start && lines[last]!.n && isMobileTagline(lines[last]!.n!) && hasContent(lines, start, last))
      sig = last;
  }
  return result(sig);
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
  const read = html.length > MAX_HTML_CHARS ? html.slice(0, MAX_HTML_CHARS) : html;
  return extractFromLines(prepare(htmlToLines(read, true)), 'html', html.length > MAX_HTML_CHARS, read);
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
    if (!html) return plain;
    const rich = fromHtml(html);
    if (plain.trimmed === null && rich.trimmed !== null && hasText(rich.text)) return rich;
    // The HTML goes with the text part's reply only when both parts were cut alike.
    const agree = hasText(rich.text) && (rich.trimmed === null) === (plain.trimmed === null);
    return { ...plain, html: agree ? rich.html : null };
  }
  if (html) {
    const rich = fromHtml(html);
    if (hasText(rich.text)) return rich;
  }
  return { text: '', trimmed: null, source: 'none', truncated: false, html: null };
}
