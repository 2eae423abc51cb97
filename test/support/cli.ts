/** Running the `parley` command as a child process, as a person would, and reading what it printed. */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/parley.js');

export interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

export function parley(args: string[], env: Record<string, string>, input?: string): Promise<Run> {
  return new Promise((done, fail) => {
    const child = spawn(process.execPath, [BIN, ...args], {
      env: { PATH: process.env.PATH ?? '', PARLEY_LOG_LEVEL: 'warn', PARLEY_MAIL_CATCHER: 'off', ...env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, stdout, stderr }));
    child.stdin.end(input ?? '');
  });
}

/** `parley serve` running in a child process until `stop()`, which returns all it printed and its exit code. */
export async function startServe(
  args: string[],
  env: Record<string, string>,
): Promise<{ url: string; out: () => string; stop(): Promise<Run> }> {
  const child = spawn(process.execPath, [BIN, 'serve', ...args], {
    env: {
      PATH: process.env.PATH ?? '',
      PARLEY_LOG_LEVEL: 'warn',
      PARLEY_PORT: '0',
      PARLEY_MAIL_CATCHER: 'off',
      ...env,
    },
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const closed = new Promise<number | null>((done) => child.on('close', done));
  const url = await new Promise<string>((done, fail) => {
    child.stdout.on('data', (d) => {
      stdout += d;
      const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(stdout);
      if (m) done(m[1]!);
    });
    void closed.then((code) => fail(new Error(`serve exited early (${code}): ${stdout}${stderr}`)));
  });
  return {
    url,
    out: () => stdout,
    async stop() {
      child.kill('SIGTERM');
      const code = await closed;
      return { code, stdout, stderr };
    },
  };
}

export function assertOneLineFailure(run: Run, pattern: RegExp, code = 1) {
  assert.equal(run.code, code, run.stderr);
  const lines = run.stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got: ${run.stderr}`);
  assert.match(lines[0]!, /^parley: /);
  assert.match(lines[0]!, pattern);
  assert.ok(!/\bat .*:\d+:\d+/.test(run.stderr), 'no stack trace');
}
