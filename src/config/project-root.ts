import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The checkout's root: the nearest folder above this file holding package.json. The same whether Parley runs from
 * its TypeScript sources (`src/config/`) or compiled (`dist/src/config/`, `npm run build:server`), so files beside
 * the sources (web/dist, bin/, package.json) are found from either.
 */
function findRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  for (;;) {
    if (existsSync(join(dir, 'package.json'))) return dir;
    const parent = dirname(dir);
    if (parent === dir) throw new Error('Parley cannot find its package.json above its own files.');
    dir = parent;
  }
}

export const PROJECT_ROOT = findRoot();

/** A path in the checkout, e.g. `projectPath('web', 'dist')`. */
export const projectPath = (...parts: string[]): string => join(PROJECT_ROOT, ...parts);
