#!/usr/bin/env node
// Entry point of `npx parley <command>`: loads the TypeScript sources through tsx and hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
// `parley ... | head` closes the pipe early: that is not an error.
process.stdout.on('error', (error) => {
  if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
  throw error;
});
const { runCli } = await import('../src/delivery/cli/run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
