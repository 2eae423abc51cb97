/**
 * `parley serve` with PARLEY_TRUSTED_PROXIES, over real HTTP: the setting reaches the HTTP server, whose request log
 * then names the address the trusted proxy forwarded and the proxy hop; without it the forwarded address is ignored.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startServe } from '../support/cli.ts';

/** The `incoming request` log lines of a `parley serve` asked for /healthz once with X-Forwarded-For. */
async function requestLogs(env: Record<string, string>): Promise<Record<string, unknown>[]> {
  const served = await startServe([], { ...env, PARLEY_LOG_LEVEL: 'info', PARLEY_DISPATCHER: 'off' });
  let run;
  try {
    const response = await fetch(`${served.url}/healthz`, { headers: { 'x-forwarded-for': '198.51.100.77' } });
    await response.arrayBuffer();
  } finally {
    run = await served.stop();
  }
  assert.equal(run.code, 0, run.stderr);
  return run.stdout
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter((l) => l.msg === 'incoming request')
    .map((l) => l.req as Record<string, unknown>);
}

describe('parley serve behind a proxy', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'parley-proxy-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('PARLEY_TRUSTED_PROXIES makes the forwarded address the client, logged with the proxy hop', async () => {
    const [trusted] = await requestLogs({ PARLEY_DATA_DIR: dir, PARLEY_TRUSTED_PROXIES: '127.0.0.1,::1' });
    assert.equal(trusted?.remoteAddress, '198.51.100.77');
    assert.equal(trusted?.proxyAddress, '127.0.0.1');
    const [direct] = await requestLogs({ PARLEY_DATA_DIR: dir });
    assert.equal(direct?.remoteAddress, '127.0.0.1', 'unset: the connecting address');
    assert.ok(direct && !('proxyAddress' in direct));
  });
});
