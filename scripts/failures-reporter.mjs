// A test reporter that prints nothing until the run ends, then each failed test again: its file, its suites and name,
// and the first lines of its error. The TAP output of a long run names a failure where it happened, thousands of
// lines before its end, which is all a CI log may keep.
import { relative } from 'node:path';

const ERROR_LINES = 6;

/** A failure's message, its first lines (an assertion's diff may be long). */
function firstLines(error) {
  const cause = error?.cause ?? error;
  const lines = String(cause?.message ?? cause ?? 'no message').trim().split('\n');
  return lines.length > ERROR_LINES ? [...lines.slice(0, ERROR_LINES), '…'] : lines;
}

export default async function* failuresReporter(source) {
  /** Failed tests, innermost first, as reported: a suite fails after its failed tests. */
  const failed = [];
  for await (const event of source) {
    if (event.type !== 'test:fail') continue;
    const { file, name, nesting, details } = event.data;
    const where = file ? relative(process.cwd(), file) : '(no file)';
    if (details?.error?.failureType === 'subtestsFailed') {
      // The suite of this file's failures reported before it, deeper than it and not yet given a suite at its level.
      for (const f of failed)
        if (f.where === where && f.nesting > nesting && f.outer > nesting) {
          f.path.unshift(name);
          f.outer = nesting;
        }
      continue;
    }
    failed.push({ where, nesting, outer: nesting, path: [name], message: firstLines(details?.error) });
  }
  if (failed.length === 0) return;
  yield `\n# ${failed.length} failed test${failed.length === 1 ? '' : 's'} (said again from above):\n`;
  for (const f of failed) {
    yield `# ✖ ${f.where} › ${f.path.join(' › ')}\n`;
    for (const line of f.message) yield `#     ${line}\n`;
  }
}
