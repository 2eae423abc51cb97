#!/usr/bin/env node
// Runs every *.test.ts under src/ and test/ with node's test runner (Node 20 takes no globs for --test).
// Extra arguments narrow the run: `npm test -- storage` runs the files whose path contains "storage".
import { spawnSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

function find(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules') return [];
    return statSync(path).isDirectory() ? find(path) : name.endsWith('.test.ts') ? [path] : [];
  });
}

const filters = process.argv.slice(2);
const files = ['src', 'test']
  .flatMap(find)
  .filter((f) => filters.length === 0 || filters.some((x) => f.includes(x)))
  .sort();
if (files.length === 0) {
  console.error(`No test file matches ${filters.join(', ')}.`);
  process.exit(1);
}
// A full run first compiles the server (`npm run build:server`, into dist/): the processes the tests start through
// bin/parley.js then run that build of the sources under test, as production runs it. They start in about a third of
// tsx's time, so the CLI tests took 45 s instead of 88 (BENCHMARKS.md, session 31). A narrowed run builds nothing:
// bin/parley.js runs dist/ only while every source is older than the start of its last compile, the sources otherwise.
if (filters.length === 0) {
  const build = fileURLToPath(new URL('./build-server.mjs', import.meta.url));
  // build-server.mjs says why when it fails; a node that cannot even start it is said here.
  const built = spawnSync(process.execPath, [build], { stdio: 'inherit' });
  if (built.error) console.error(built.error.message);
  if (built.status !== 0) {
    console.error('No test was run: the server has to compile first (npm run build:server).');
    process.exit(1);
  }
}
// Two files at a time. At three, a full run on a 2-core machine saw browser tests miss their 10 s waits (a click, a
// response) while two other files ran beside them (session 25); at two it keeps that machine about half busy.
const result = spawnSync(
  process.execPath,
  [
    '--import',
    'tsx',
    '--test',
    '--test-concurrency=2',
    '--test-timeout=180000',
    // TAP where the output is kept (CI, a file), spec on a terminal, as node's defaults; then the failures said again
    // at the end, where a CI log that keeps only its end shows them.
    `--test-reporter=${process.stdout.isTTY ? 'spec' : 'tap'}`,
    '--test-reporter-destination=stdout',
    `--test-reporter=${fileURLToPath(new URL('./failures-reporter.mjs', import.meta.url))}`,
    '--test-reporter-destination=stdout',
    ...files,
  ],
  { stdio: 'inherit' },
);
process.exit(result.status ?? 1);
