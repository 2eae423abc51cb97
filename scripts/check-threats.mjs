#!/usr/bin/env node
// Every line of the threat catalogue (docs/threats.md) is marked `// threat: <its words>` above a test that proves
// it, in test/ or a *.test.ts under src/. A line may wait only on the PENDING list below, with what it waits for.
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
/** @type {Map<string, string>} */
const PENDING = new Map([]);

/** The catalogue's lines (a bullet and its continuation lines), whitespace collapsed. */
function catalogue() {
  const lines = [];
  let current = null;
  for (const raw of readFileSync(join(root, 'docs/threats.md'), 'utf8').split('\n')) {
    if (raw.startsWith('- ')) {
      if (current) lines.push(current);
      current = raw.slice(2).trim();
    } else if (raw.startsWith('  ') && current !== null) current += ` ${raw.trim()}`;
    else if (current) {
      lines.push(current);
      current = null;
    }
  }
  if (current) lines.push(current);
  return lines.map((l) => l.replace(/\s+/g, ' '));
}

function testFiles(dir) {
  const out = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name === 'node_modules' || entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) out.push(...testFiles(path));
    else if (/\.ts$/.test(entry.name) && (path.includes('/test/') || entry.name.endsWith('.test.ts'))) out.push(path);
  }
  return out;
}

const markers = [];
for (const file of [...testFiles(join(root, 'test')), ...testFiles(join(root, 'src'))]) {
  for (const m of readFileSync(file, 'utf8').matchAll(/\/\/ threat: (.+)/g))
    markers.push({ text: m[1].trim().replace(/\s+/g, ' '), file: relative(root, file) });
}

const missing = [];
let pending = 0;
for (const line of catalogue()) {
  // A marker names its line by the line's first words (up to 40 characters, at least 15).
  if (markers.some((m) => m.text.length >= 15 && line.startsWith(m.text.slice(0, 40)))) continue;
  const waiting = [...PENDING.keys()].find((p) => line.startsWith(p));
  if (waiting) {
    pending++;
    continue;
  }
  missing.push(line);
}
for (const line of missing) console.error(`threat without a test marked "// threat:": ${line}`);
console.log(
  `Threat catalogue: ${catalogue().length} lines, ${catalogue().length - missing.length - pending} marked in tests, ${pending} pending (${[...PENDING.values()].join('; ')}), ${missing.length} missing.`,
);
process.exitCode = missing.length > 0 ? 1 : 0;
