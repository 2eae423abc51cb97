/**
 * `node --import tsx bench/reply-extraction.ts`: exact-match rate of extractReply on the reply corpus
 * (test/fixtures/replies), on the development set and the held-out set separately.
 *
 * A case matches when the extracted text equals NAME.expected.txt after normalising line endings and trailing
 * whitespace only. The held-out set is checked against its MANIFEST.sha256 first, so a changed held-out file shows.
 * Options: `--dev-only` measures the development set only (for tuning); `--verbose` prints each failing case's
 * expected and extracted text.
 * Exit code 0 when the held-out rate is at least 85% (the acceptance of issue 5), 1 otherwise.
 */
import { extractReply } from '../src/domain/inbound/reply-text.ts';
import { heldOutChanges, loadCases, normaliseForComparison, type ReplyCase } from '../test/fixtures/replies/corpus.ts';

const TARGET = 0.85;
const verbose = process.argv.includes('--verbose');
const devOnly = process.argv.includes('--dev-only'); // for tuning: measures the development set only

function measure(cases: ReplyCase[]): { passed: number; failed: ReplyCase[]; ms: number } {
  const failed: ReplyCase[] = [];
  const t0 = performance.now();
  for (const c of cases) {
    const got = extractReply({ text: c.text, html: c.html }).text;
    if (normaliseForComparison(got) !== normaliseForComparison(c.expected)) failed.push(c);
  }
  return { passed: cases.length - failed.length, failed, ms: performance.now() - t0 };
}

const changes = heldOutChanges();
if (changes.length > 0) console.log(`WARNING: held-out files differ from MANIFEST.sha256: ${changes.join(', ')}`);

let heldOutRate = 0;
for (const set of devOnly ? (['dev'] as const) : (['dev', 'held-out'] as const)) {
  const cases = loadCases(set);
  const { passed, failed, ms } = measure(cases);
  const rate = cases.length ? passed / cases.length : 0;
  if (set === 'held-out') heldOutRate = rate;
  console.log(`${set.padEnd(8)} ${passed}/${cases.length} exact = ${(rate * 100).toFixed(1)}%  (${ms.toFixed(1)} ms)`);
  for (const c of failed) {
    console.log(`  FAIL ${c.name}`);
    if (verbose) {
      const got = extractReply({ text: c.text, html: c.html }).text;
      console.log(`    expected: ${JSON.stringify(normaliseForComparison(c.expected))}\n    got:      ${JSON.stringify(normaliseForComparison(got))}`);
    }
  }
}
if (devOnly) process.exit(0);
console.log(`target: held-out >= ${TARGET * 100}% -> ${heldOutRate >= TARGET ? 'met' : 'NOT met'}`);
process.exitCode = heldOutRate >= TARGET ? 0 : 1;
