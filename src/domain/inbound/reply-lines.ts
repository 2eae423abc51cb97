import type { RenderedLine } from './html-to-safe-text.ts';
import { MAX_MARKER_LINE, normaliseLine } from './reply-markers.ts';

export interface Line extends RenderedLine {
  /** Normalised text of an unquoted line short enough to be a marker; null otherwise. */
  n: string | null;
  blank: boolean;
}

export function prepare(rendered: readonly RenderedLine[]): Line[] {
  const lines: Line[] = new Array(rendered.length);
  for (let k = 0; k < rendered.length; k++) {
    const { text, quoted, mark, at } = rendered[k]!;
    const short = !quoted && !mark && text.length <= MAX_MARKER_LINE;
    const n = short ? normaliseLine(text) : null;
    const blank = !mark && !quoted && (n !== null ? n === '' : text.trim() === '');
    lines[k] = mark ? { text, quoted, mark, n, blank, at } : { text, quoted, n, blank, at };
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

export function textToLines(text: string): RenderedLine[] {
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

export const isContent = (l: Line): boolean => !l.mark && !l.blank;

export function nextContent(lines: readonly Line[], from: number): number {
  let k = from;
  while (k < lines.length && !isContent(lines[k]!)) k++;
  return k;
}

export function prevContent(lines: readonly Line[], before: number): number {
  let k = before - 1;
  while (k >= 0 && !isContent(lines[k]!)) k--;
  return k;
}

export function hasContent(lines: readonly Line[], from: number, to: number): boolean {
  for (let k = from; k < to; k++) if (isContent(lines[k]!)) return true;
  return false;
}
