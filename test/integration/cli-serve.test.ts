/**
 * `parley serve` as a child process: start-up, signals, ports, warnings and the mail catcher.
 */
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { createTransport } from 'nodemailer';
import { assertOneLineFailure, BIN, parley, startServe } from '../support/cli.ts';

describe('parley serve on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    env = { PARLEY_DATA_DIR: dir };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('serve listens, answers, and stops cleanly on SIGTERM; a taken port fails in one line', async () => {
    const child = spawn(process.execPath, [BIN, 'serve'], {
      env: {
        PATH: process.env.PATH ?? '',
        ...env,
        PARLEY_PORT: '0',
        PARLEY_LOG_LEVEL: 'warn',
        PARLEY_MAIL_CATCHER: '127.0.0.1:0',
      },
    });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    const url = await new Promise<string>((done, fail) => {
      child.stdout.on('data', () => {
        const m = /listening on (http:\/\/[\d.]+:\d+)/.exec(out);
        if (m) done(m[1]!);
      });
      child.on('close', (code) => fail(new Error(`serve exited early (${code}): ${out}`)));
    });
    const health = await fetch(`${url}/readyz`);
    assert.equal(health.status, 200);
    const taken = await parley(['serve'], { ...env, PARLEY_PORT: new URL(url).port });
    assertOneLineFailure(taken, /already in use/);
    const exit = new Promise<number | null>((done) => child.on('close', done));
    child.kill('SIGTERM');
    assert.equal(await exit, 0);
  });

  it('a taken mail catcher port fails in one line naming PARLEY_MAIL_CATCHER', async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as { port: number };
    try {
      const run = await parley(['serve'], { ...env, PARLEY_PORT: '0', PARLEY_MAIL_CATCHER: `127.0.0.1:${port}` });
      assertOneLineFailure(
        run,
        new RegExp(
          `mail catcher cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use.*PARLEY_MAIL_CATCHER`,
        ),
      );
      assert.doesNotMatch(run.stderr, /PARLEY_PORT/);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });

  it('warns at start-up when replies by mail cannot come back (reply domain localhost or an IP address), except in the demo', async () => {
    const demoDir = mkdtempSync(join(tmpdir(), 'parley-cli-demo-'));
    try {
      // The demo: the SMTP account sends to the mail catcher of this process; nothing to warn about.
      const demo = await startServe(['--first-run'], { PARLEY_DATA_DIR: demoDir, PARLEY_MAIL_CATCHER: '127.0.0.1:0' });
      const demoRun = await demo.stop();
      assert.equal(demoRun.code, 0, demoRun.stderr);
      assert.match(demoRun.stdout, /Web app \(sign in with an account above\)/);
      assert.equal(demoRun.stderr, '');
    } finally {
      rmSync(demoDir, { recursive: true, force: true });
    }
    // Not the demo (the catcher is off; the account of `seed --demo` points elsewhere): the reply domain is checked.
    for (const [domain, extra] of [
      ['localhost', {}],
      ['10.1.2.3', { PARLEY_MAIL_DOMAIN: '10.1.2.3' }],
    ] as const) {
      const served = await startServe([], { ...env, ...extra });
      const run = await served.stop();
      assert.equal(run.code, 0, run.stderr);
      const lines = run.stderr.trim().split('\n');
      assert.equal(lines.length, 1, run.stderr);
      assert.match(
        lines[0]!,
        new RegExp(
          `^Warning: reply addresses are reply\\+…@${domain.replace(/\./g, '\\.')}, which cannot receive mail.*PARLEY_MAIL_DOMAIN`,
        ),
      );
      // No account was printed: the banner says how to set a password instead.
      assert.match(
        run.stdout,
        /Web app: http:\/\/127\.0\.0\.1:\d+\/ \(to set a person's password: npx parley user password --email ADDRESS\)/,
      );
    }
    const named = await (await startServe([], { ...env, PARLEY_MAIL_DOMAIN: 'desk.example.com' })).stop();
    assert.equal(named.code, 0, named.stderr);
    assert.equal(named.stderr, '', 'a real domain: no warning');
  });

  it('warns at start-up when PARLEY_TRUSTED_PROXIES trusts every address', async () => {
    const quiet = { ...env, PARLEY_MAIL_DOMAIN: 'desk.example.com', PARLEY_DISPATCHER: 'off' };
    const open = await (await startServe([], { ...quiet, PARLEY_TRUSTED_PROXIES: '10.0.0.0/8,::/0' })).stop();
    assert.equal(open.code, 0, open.stderr);
    assert.match(open.stderr.trim(), /^Warning: PARLEY_TRUSTED_PROXIES trusts every address \(::\/0\)/);
    const listed = await (await startServe([], { ...quiet, PARLEY_TRUSTED_PROXIES: '10.0.0.0/8' })).stop();
    assert.equal(listed.stderr, '', 'a range of its own: no warning');
  });

  it('the mail catcher keeps what it received across a restart of parley serve', async () => {
    const catcherEnv = { ...env, PARLEY_MAIL_CATCHER: '127.0.0.1:0', PARLEY_DISPATCHER: 'off' };
    const first = await startServe([], catcherEnv);
    // The banner's catcher line follows the listening line.
    for (let k = 0; k < 100 && !/Mail catcher: /.test(first.out()); k++) await new Promise((r) => setTimeout(r, 50));
    const port = Number(/Mail catcher: smtp:\/\/127\.0\.0\.1:(\d+)/.exec(first.out())?.[1]);
    assert.ok(port > 0, first.out());
    const transport = createTransport({ host: '127.0.0.1', port, secure: false, ignoreTLS: true });
    try {
      await transport.sendMail({
        from: 'desk@example.test',
        to: 'ana@example.test',
        subject: 'Kept across a restart',
        text: 'Still here?',
      });
    } finally {
      transport.close();
    }
    assert.equal((await first.stop()).code, 0);

    const second = await startServe([], catcherEnv);
    try {
      const admin = await parley(
        ['user', 'add', '--role', 'admin', '--email', 'catcher-admin@example.test', '--name', 'Catcher Admin'],
        env,
      );
      assert.equal(admin.code, 0, admin.stderr);
      const token = (await parley(['token', 'create', '--email', 'catcher-admin@example.test'], env)).stdout.trim();
      const response = await fetch(`${second.url}/api/v1/admin/mail-catcher`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.equal(response.status, 200);
      const { items } = (await response.json()) as {
        items: { id: number; subject: string; envelope: { to: string[] } }[];
      };
      const kept = items.find((m) => m.subject === 'Kept across a restart');
      assert.ok(kept, JSON.stringify(items));
      assert.deepEqual(kept.envelope.to, ['ana@example.test']);
      const detail = await fetch(`${second.url}/api/v1/admin/mail-catcher/${kept.id}`, {
        headers: { authorization: `Bearer ${token}` },
      });
      assert.match(((await detail.json()) as { text: string }).text, /Still here\?/);
    } finally {
      assert.equal((await second.stop()).code, 0);
    }
  });
});

describe('parley ingest on SQLite', () => {
  let dir: string;
  before(() => (dir = mkdtempSync(join(tmpdir(), 'parley-cli-ingest-'))));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it("a taken receiver address fails in one line naming the setting that gave it (a serve's receiver, say)", async () => {
    const blocker = createServer();
    await new Promise<void>((done) => blocker.listen(0, '127.0.0.1', done));
    const { port } = blocker.address() as { port: number };
    try {
      const fromEnv = await parley(['ingest'], { PARLEY_DATA_DIR: dir, PARLEY_INBOUND_SMTP: `127.0.0.1:${port}` });
      assertOneLineFailure(
        fromEnv,
        new RegExp(
          `receiver cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use.*PARLEY_INBOUND_SMTP`,
        ),
      );
      assert.doesNotMatch(fromEnv.stderr, /PARLEY_PORT/);
      const fromFlag = await parley(['ingest', '--listen', `127.0.0.1:${port}`], { PARLEY_DATA_DIR: dir });
      assertOneLineFailure(fromFlag, /already in use.*Set --listen to a free port/);
    } finally {
      await new Promise((done) => blocker.close(done));
    }
  });
});
