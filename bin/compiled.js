// Whether the compiled JavaScript (`npm run build:server`, dist/) is current: every source older than the start of its
// compile. bin/parley.js runs it then, and the benchmarks say which one their processes run. PARLEY_RUN_FROM=source forces the sources.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
export const COMPILED_CLI = `${root}dist/src/delivery/cli/run-cli.js`;

/** The newest modification time under a folder of sources. */
function newest(dir) {
  let latest = 0;
  for (const entry of readdirSync(dir, { withFileTypes: true, recursive: true })) {
    if (!entry.isFile() || !entry.name.endsWith('.ts')) continue;
    latest = Math.max(latest, statSync(`${entry.parentPath ?? entry.path}/${entry.name}`).mtimeMs);
  }
  return latest;
}

/** As bin/parley.js decides it for a process of this environment (`env`: a child's, from a benchmark). */
export function compiledIsCurrent(env = process.env) {
  if (env.PARLEY_RUN_FROM === 'source' || !existsSync(COMPILED_CLI)) return false;
  let built;
  try {
    built = statSync(`${root}dist/.built`).mtimeMs;
  } catch {
    return false;
  }
  // Strictly older: the stamp is the time the compile began (scripts/build-server.mjs).
  return newest(`${root}src`) < built && newest(`${root}migrations`) < built;
}
