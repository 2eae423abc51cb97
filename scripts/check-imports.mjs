#!/usr/bin/env node
// The import rule of ARCHITECTURE.md: domain imports only ports and itself; ports import only domain types;
// adapters never import delivery; only main.ts and main-inbound.ts (and tests) wire adapters in.
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const src = join(root, 'src');

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : /\.ts$/.test(name) && !name.endsWith('.test.ts') ? [path] : [];
  });
}

const layerOf = (path) => relative(src, path).split('/')[0].replace(/\.ts$/, '');
const rules = {
  domain: (target) => target.layer === 'domain' || target.layer === 'ports',
  ports: (target) => target.layer === 'domain' || target.layer === 'ports',
  adapters: (target) => ['domain', 'ports', 'adapters', 'migrations'].includes(target.layer),
  config: (target) => target.layer === 'config',
  delivery: (target) => target.layer !== 'adapters' || target.allowed,
};
// The CLI and HTTP layers reach adapters only through the composition root.
const problems = [];
/** Relative imports of each file (type-only ones too), for the cycle check below. */
const edges = new Map();
for (const file of files(src)) {
  const layer = layerOf(file);
  const text = readFileSync(file, 'utf8');
  edges.set(
    file,
    [...text.matchAll(/from\s+['"](\.[^'"]+)['"]/g)].map((m) => resolve(dirname(file), m[1])),
  );
  for (const match of text.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)) {
    const spec = match[1];
    if (!spec.startsWith('.')) {
      if (layer === 'domain' || layer === 'ports') {
        if (!spec.startsWith('node:') || layer === 'domain')
          problems.push(
            `${relative(root, file)} imports the package "${spec}": the ${layer} knows no framework or I/O.`,
          );
      }
      continue;
    }
    const target = resolve(dirname(file), spec);
    const t = { layer: target.startsWith(src) ? layerOf(target) : 'migrations', allowed: false };
    const rule = rules[layer];
    if (rule && !rule(t))
      problems.push(
        `${relative(root, file)} imports ${relative(root, target)}: ${layer} may not depend on ${t.layer}.`,
      );
  }
}
// No import cycles, type-only imports included: a file can be read knowing only what it imports.
const done = new Set();
const onPath = [];
function visit(file) {
  const at = onPath.indexOf(file);
  if (at >= 0) {
    problems.push(`import cycle: ${[...onPath.slice(at), file].map((f) => relative(root, f)).join(' -> ')}`);
    return;
  }
  if (done.has(file) || !edges.has(file)) return;
  onPath.push(file);
  for (const target of edges.get(file)) visit(target);
  onPath.pop();
  done.add(file);
}
for (const file of edges.keys()) visit(file);
if (problems.length) {
  console.error(problems.join('\n'));
  process.exit(1);
}
console.log(`import rule: ${files(src).length} files checked, no violations, no import cycle.`);
