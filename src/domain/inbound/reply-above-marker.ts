import { type Line, prevContent } from './reply-lines.ts';

/**
 * Parley's reply marker ("##- Reply above this line -##", conversation-keys.ts): the line a mail Parley sent asks the
 * reply to be written above. Found whatever a mail client did to it: quoted (`>`, `> >`, `|`), re-wrapped over up to
 * three lines, or in another language (only the `##-` and `-##` frame is looked for, never the words).
 */
const QUOTE_PREFIX = /^[\s>|]+/;
const FRAMED = /^##-\s*\S.*-##$/;
/** The longest the framed text may be once re-joined: the marker is short, so a long line is the writer's own. */
const MAX_MARKER = 120;

function bare(line: Line): string {
  return line.text.replace(QUOTE_PREFIX, '').replace(/\s+/g, ' ').trim();
}

/** The index of the first line of the first reply marker, or -1. Linear: a line is joined with at most 2 others. */
export function replyMarkerLine(lines: readonly Line[]): number {
  for (let k = 0; k < lines.length; k++) {
    const l = lines[k]!;
    if (l.mark || l.text.length > 4 * MAX_MARKER) continue;
    let joined = bare(l);
    if (!joined.startsWith('##-')) continue;
    for (let j = k + 1; j <= k + 2 && !joined.endsWith('-##') && j < lines.length; j++) {
      const next = bare(lines[j]!);
      if (next === '') break;
      joined = `${joined} ${next}`;
    }
    if (joined.length <= MAX_MARKER && FRAMED.test(joined)) return k;
  }
  return -1;
}

/** A line that introduces a quote ("On …, Parley wrote:", in any language): it ends with a colon. */
function isIntroduction(line: Line): boolean {
  const t = line.text.trim();
  return !line.quoted && t.length > 0 && t.length <= 300 && /[:：]$/.test(t);
}

/**
 * Where the reply ends when it holds the marker: at the marker, or at the line introducing it when the client quoted
 * the mail under an attribution line ("On … wrote:") of its own. Null when there is no marker.
 */
export function replyMarkerCut(lines: readonly Line[]): number | null {
  const at = replyMarkerLine(lines);
  if (at < 0) return null;
  const p = prevContent(lines, at);
  if (p >= 0 && lines[at]!.quoted && isIntroduction(lines[p]!)) return p;
  return at;
}
