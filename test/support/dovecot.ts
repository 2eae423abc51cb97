/**
 * A real IMAP server for tests: Debian's Dovecot (`dovecot-imapd`, installed by .ci/run), started in the foreground
 * with a configuration of its own in a temporary folder: IMAP only, on 127.0.0.1 and a free port, plain
 * authentication from a password file, Maildir mailboxes. Stopped (and its folder removed) by `stop()`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Debian's Dovecot binary; PARLEY_TEST_DOVECOT names another (a missing path shows how a run without Dovecot goes). */
export const DOVECOT = process.env.PARLEY_TEST_DOVECOT || '/usr/sbin/dovecot';

/**
 * Why the Dovecot tests are skipped, or false when they run: skipped only when the binary is missing outside CI
 * (under CI a missing Dovecot fails). Each test takes `{ skip }` itself: node's runner counts a skipped suite's tests
 * as nothing at all, so the summary would say "skipped 0".
 */
export const DOVECOT_SKIP: string | false =
  existsSync(DOVECOT) || process.env.CI
    ? false
    : `Dovecot is not installed at ${DOVECOT} (dovecot-imapd; .ci/run installs it; under CI a missing Dovecot fails)`;

export interface Dovecot {
  host: string;
  port: number;
  user: string;
  password: string;
  /** The log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

async function waitForPort(port: number, deadline: number): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        resolve(true);
      });
      socket.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`Dovecot did not listen on ${port} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** A system user's uid and gid, from /etc/passwd (Dovecot's package creates `dovecot`). */
function uidOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`There is no system user ${name}: is dovecot-imapd installed?`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

/**
 * `oauth2`: the server takes XOAUTH2 and OAUTHBEARER only, each token checked by its `oauth2` passdb against the
 * authorization server's introspection endpoint (RFC 7662, `introspectionUrl`, posted to as a form).
 */
export async function startDovecot(
  options: { user?: string; password?: string; oauth2?: { introspectionUrl: string } } = {},
): Promise<Dovecot> {
  const user = options.user ?? 'desk@example.test';
  const password = options.password ?? 'imap-test-password';
  const dir = mkdtempSync(join(tmpdir(), 'parley-dovecot-'));
  chmodSync(dir, 0o755); // Dovecot's auth and mail processes run as the dovecot user and read below it
  const mail = join(dir, 'mail');
  mkdirSync(mail);
  const owner = uidOf('dovecot');
  chownSync(mail, owner.uid, owner.gid);
  const port = await freePort();
  writeFileSync(join(dir, 'users'), `${user}:{PLAIN}${password}\n`);
  const passdb = options.oauth2
    ? `auth_mechanisms = xoauth2 oauthbearer
auth_failure_delay = 0
passdb {
  driver = oauth2
  mechanisms = xoauth2 oauthbearer
  args = ${dir}/oauth2.conf.ext
}`
    : `auth_mechanisms = plain login
passdb {
  driver = passwd-file
  args = scheme=PLAIN username_format=%u ${dir}/users
}`;
  if (options.oauth2)
    writeFileSync(
      join(dir, 'oauth2.conf.ext'),
      `introspection_mode = post
introspection_url = ${options.oauth2.introspectionUrl}
username_attribute = username
active_attribute = active
active_value = true
`,
    );
  const config = `
base_dir = ${dir}/run
state_dir = ${dir}/state
log_path = ${dir}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = no
disable_plaintext_auth = no
default_internal_user = dovecot
default_login_user = dovenull
mail_location = maildir:${mail}/%u
mail_uid = dovecot
mail_gid = dovecot
first_valid_uid = ${owner.uid}
last_valid_uid = ${owner.uid}
${passdb}
userdb {
  driver = static
  args = uid=dovecot gid=dovecot home=${mail}/%u
}
service imap-login {
  inet_listener imap {
    address = 127.0.0.1
    port = ${port}
  }
  inet_listener imaps {
    port = 0
  }
}
`;
  writeFileSync(join(dir, 'dovecot.conf'), config);
  const child: ChildProcess = spawn(DOVECOT, ['-F', '-c', join(dir, 'dovecot.conf')], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(join(dir, 'dovecot.log'), 'utf8');
    } catch {
      // not written yet
    }
    return `${output}\n${file}`;
  };
  try {
    await Promise.race([
      waitForPort(port, Date.now() + 10_000),
      exited.then(() => {
        throw new Error(`Dovecot exited at start:\n${log()}`);
      }),
    ]);
  } catch (error) {
    child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  return {
    host: '127.0.0.1',
    port,
    user,
    password,
    log,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
