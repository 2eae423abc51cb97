#!/usr/bin/env node
// Entry point of `npx parley <command>`. Runs the compiled JavaScript (`npm run build:server`, dist/) when it was
// built after the last change to the sources; otherwise loads the TypeScript sources through tsx. Compiled, a process
// needs no TypeScript compiler at run time (about 45 MB less per process). PARLEY_RUN_FROM=source forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const compiled = `${root}dist/src/delivery/cli/run-cli.js`;

/** The newest modification time under a folder of sources. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    latest = Math.max(latest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return latest;
}

function compiledIsCurrent() {
  if (process.env.PARLEY_RUN_FROM === 'source' || !existsSync(compiled)) return false;
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  return newest(`${root}src`) <= built && newest(`${root}migrations`) <= built;
}

// `parley ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
let runCli;
if (compiledIsCurrent()) {
  ({ runCli } = await import(compiled));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/delivery/cli/run-cli.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
