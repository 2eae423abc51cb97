#!/usr/bin/env node
// `npm run build:server`: compiles src/ and migrations/ into dist/ (tsconfig.build.json), then stamps dist/.built with
// the time the compile began. bin/compiled.js runs dist/ only while every source is older than that stamp, so a
// source saved while tsc was running (it read the sources at its start) leaves the build stale, never taken as current.
import { spawnSync } from 'node:child_process';
import { mkdirSync, utimesSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const began = new Date();
let tsc;
try {
  tsc = createRequire(import.meta.url).resolve('typescript/bin/tsc');
} catch (error) {
  if (/** @type {{ code?: string }} */ (error).code !== 'MODULE_NOT_FOUND') throw error;
  console.error('The server did not compile: TypeScript is not installed (`npm ci` installs it, unless told to omit');
  console.error('the development dependencies).');
  process.exit(1);
}
const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], { cwd: root, stdio: 'inherit' });
if (result.status !== 0) {
  const why = result.error?.message ?? (result.signal ? `stopped by ${result.signal}` : `exit code ${result.status}`);
  console.error(`The server did not compile (${why}); dist/ is not marked as built.`);
  process.exit(1);
}
mkdirSync(`${root}dist`, { recursive: true });
writeFileSync(`${root}dist/.built`, '');
utimesSync(`${root}dist/.built`, began, began);
