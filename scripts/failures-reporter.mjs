// A test reporter that prints nothing until the run ends, then each failed test again: its file, its suites and name,
// and the first lines of its error. The TAP output of a long run names a failure where it happened, thousands of
// lines before its end, which is all a CI log may keep. A file that failed as a whole (it crashed, was killed or ran
// past its time) also names the tests it had begun and not finished, and its last diagnostic naming an error.
import { relative } from 'node:path';

const ERROR_LINES = 6;
/** Failures said again at most: past them, the count of the rest (when everything fails, the totals stay in view). */
const MAX_SAID = 50;

/** A failure's message, its first lines (an assertion's diff may be long), with a process's exit code or signal. */
function firstLines(error) {
  const cause = error?.cause ?? error;
  const lines = String(cause?.message ?? cause ?? 'no message')
    .trim()
    .split('\n');
  const ended = error?.exitCode != null ? `exit code ${error.exitCode}` : error?.signal ? `signal ${error.signal}` : '';
  if (ended) lines[0] = `${lines[0]} (${ended})`;
  return lines.length > ERROR_LINES ? [...lines.slice(0, ERROR_LINES), '…'] : lines;
}

export default async function* failuresReporter(source) {
  /** Failed tests, innermost first, as reported: a suite fails after its failed tests. */
  const failed = [];
  /** Per file: tests begun and not yet finished, and its last diagnostic naming an error. */
  const running = new Map();
  const lastError = new Map();
  const fileOf = (data) => (data.file ? relative(process.cwd(), data.file) : '(no file)');
  const begun = (where) => running.get(where) ?? running.set(where, []).get(where);
  for await (const event of source) {
    const { data } = event;
    if (event.type === 'test:dequeue') begun(fileOf(data)).push({ name: data.name, nesting: data.nesting });
    if (event.type === 'test:diagnostic' && /\bError\b/.test(String(data.message))) {
      lastError.set(fileOf(data), String(data.message));
    }
    if (event.type !== 'test:pass' && event.type !== 'test:fail') continue;
    const where = fileOf(data);
    const list = begun(where);
    const at = list.findLastIndex((t) => t.name === data.name && t.nesting === data.nesting);
    if (at !== -1) list.splice(at, 1);
    if (event.type === 'test:pass' || data.todo) continue;
    const { name, nesting, details } = data;
    const wholeFile = Boolean(data.file) && name === data.file && nesting === 0;
    // A suite names the failures of its file reported before it, deeper than it and not yet given a suite at its level.
    for (const f of failed)
      if (!wholeFile && f.where === where && f.outer > nesting) {
        f.path.unshift(name);
        f.outer = nesting;
      }
    // A suite whose tests failed is said through them; a test cancelled with its suite, through the suite's failure.
    if (['subtestsFailed', 'cancelledByParent'].includes(details?.error?.failureType)) continue;
    const message = firstLines(details?.error);
    // The file itself failed (its process ended or ran out of time): what it had begun, and its last error said.
    if (wholeFile) {
      const unfinished = list.map((t) => `${'  '.repeat(t.nesting)}${t.name}`);
      if (unfinished.length > 0) message.push('begun and not finished:', ...unfinished);
      if (lastError.has(where)) message.push(`its last error: ${lastError.get(where).split('\n')[0]}`);
    }
    failed.push({ where, outer: nesting, path: wholeFile ? [] : [name], message });
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} failed test${failed.length === 1 ? '' : 's'} (said again from above):\n`;
  for (const f of failed.slice(0, MAX_SAID)) {
    yield `# ✖ ${[f.where, ...f.path].join(' › ')}\n`;
    for (const line of f.message) yield `#     ${line}\n`;
  }
  if (failed.length > MAX_SAID) yield `# … and ${failed.length - MAX_SAID} more, above\n`;
}
