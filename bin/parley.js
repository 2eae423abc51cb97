#!/usr/bin/env node
// Entry point of `npx parley <command>`: loads the TypeScript sources through tsx and hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
const { runCli } = await import('../src/delivery/cli/run-cli.ts');
process.exitCode = await runCli(process.argv.slice(2));
