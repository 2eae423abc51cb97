/**
 * `node --import tsx bench/reply-extraction-eml.ts`: the reply corpus measured through `parley reply-text --json`, the
 * way a corpus of real mail would be: each case is written as an .eml file (UTF-8, base64 parts: multipart/alternative
 * when it has both a text and an HTML part), the CLI parses them with the inbound mail parser (mailparser) and extracts
 * the reply, and its output is compared with NAME.expected.txt as bench/reply-extraction.ts does. A difference between
 * the two benches is what MIME decoding changes.
 * The .eml files go to a temporary folder, removed at the end. Options: `--keep DIR` writes them to DIR instead (to
 * run `parley reply-text` on them by hand); `--list` names the failing development cases (held-out ones stay unnamed).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  CORPUS_SETS,
  HELD_OUT_SETS,
  loadCases,
  normaliseForComparison,
  type ReplyCase,
} from '../test/fixtures/replies/corpus.ts';

const keepAt = process.argv.indexOf('--keep');
const list = process.argv.includes('--list');
const root = resolve(import.meta.dirname, '..');

function part(type: string, body: string): string {
  const b64 = (
    Buffer.from(body, 'utf8')
      .toString('base64')
      .match(/.{1,76}/g) ?? []
  ).join('\r\n');
  return `Content-Type: ${type}; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${b64}\r\n`;
}

function toEml(c: ReplyCase, k: number): string {
  const head =
    `From: Sender <sender@example.org>\r\nTo: Support <support@example.org>\r\nSubject: Re: case ${k}\r\n` +
    `Date: Tue, 04 Jun 2024 09:20:00 +0000\r\nMessage-ID: <case-${k}@bench.example.org>\r\nMIME-Version: 1.0\r\n`;
  if (c.text !== null && c.html !== null) {
    const boundary = `=_parley_bench_${k}`;
    return (
      `${head}Content-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n` +
      `--${boundary}\r\n${part('text/plain', c.text)}--${boundary}\r\n${part('text/html', c.html)}--${boundary}--\r\n`
    );
  }
  return head + (c.html !== null ? part('text/html', c.html) : part('text/plain', c.text ?? ''));
}

const dir = keepAt > 0 ? resolve(process.argv[keepAt + 1]!) : mkdtempSync(join(tmpdir(), 'parley-replies-'));
try {
  for (const set of CORPUS_SETS) {
    const cases = loadCases(set);
    const setDir = join(dir, set.replace('/', '-'));
    mkdirSync(setDir, { recursive: true });
    const files = cases.map((c, k) => {
      const file = join(setDir, `${c.name}.eml`);
      writeFileSync(file, toEml(c, k));
      return file;
    });
    if (files.length === 0) continue;
    const out = execFileSync(process.execPath, [join(root, 'bin/parley.js'), 'reply-text', '--json', ...files], {
      encoding: 'utf8',
      maxBuffer: 64 * 1024 * 1024,
    });
    const got = new Map<string, string>();
    for (const line of out.split('\n')) {
      if (!line.trim()) continue;
      const r = JSON.parse(line) as { file: string; text?: string };
      got.set(r.file, r.text ?? '');
    }
    const failed = cases.filter(
      (c, k) => normaliseForComparison(got.get(files[k]!) ?? '') !== normaliseForComparison(c.expected),
    );
    const passed = cases.length - failed.length;
    console.log(
      `${set.padEnd(17)} ${passed}/${cases.length} exact = ${((passed / cases.length) * 100).toFixed(1)}%  (parley reply-text --json)`,
    );
    if (list && !HELD_OUT_SETS.includes(set)) for (const c of failed) console.log(`  FAIL ${c.name}`);
  }
} finally {
  if (keepAt < 0) rmSync(dir, { recursive: true, force: true });
}
