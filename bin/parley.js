#!/usr/bin/env node
// Entry point of `npx parley <command>`. Runs the compiled JavaScript (`npm run build:server`, dist/) when it was
// built after the last change to the sources; otherwise loads the TypeScript sources through tsx. Compiled, a process
// needs no TypeScript compiler at run time (about 45 MB less per process). PARLEY_RUN_FROM=source forces the sources.
import { compiledIsCurrent, COMPILED_CLI } from './compiled.js';

// `parley ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
let runCli;
if (compiledIsCurrent()) {
  ({ runCli } = await import(COMPILED_CLI));
} else {
  const { register } = await import('tsx/esm/api');
  register();
  ({ runCli } = await import('../src/delivery/cli/run-cli.ts'));
}
process.exitCode = await runCli(process.argv.slice(2));
