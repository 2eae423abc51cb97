/**
 * The test run tells the truth: the IMAP suite, run where Dovecot is missing (outside CI), reports its tests as
 * skipped in the runner's summary, not as "skipped 0" (node's runner counts nothing for a skipped suite).
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { it } from 'node:test';

const ROOT = resolve(import.meta.dirname, '../..');

it('the IMAP tests without Dovecot count as skipped in the summary, and nothing fails', async () => {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(process.env))
    if (v !== undefined && k !== 'CI' && !k.startsWith('NODE_TEST')) env[k] = v;
  env.PARLEY_TEST_DOVECOT = resolve(ROOT, 'no-such-dovecot');
  const run = await new Promise<{ code: number | null; out: string }>((done, fail) => {
    const child = spawn(
      process.execPath,
      ['--import', 'tsx', '--test', '--test-reporter=tap', 'test/integration/imap-mailbox.test.ts'],
      { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', fail);
    child.on('close', (code) => done({ code, out }));
  });
  const count = (name: string) => Number(new RegExp(`^# ${name} (\\d+)$`, 'm').exec(run.out)?.[1] ?? NaN);
  assert.equal(run.code, 0, run.out);
  assert.ok(count('skipped') >= 6, `the summary counts the skipped IMAP tests:\n${run.out}`);
  assert.equal(count('skipped'), count('tests'), 'every IMAP test is skipped');
  assert.equal(count('fail'), 0);
  assert.equal(count('pass'), 0, 'no test passes without a server');
  assert.match(run.out, /# SKIP Dovecot is not installed at .*no-such-dovecot/);
});
