/**
 * A real nginx in front of Parley for tests: Debian's nginx (installed by .ci/run), run in the foreground as a child
 * process on 127.0.0.1, with the production configuration `deploy/nginx/parley.conf` rendered for the test (only its
 * lines marked `# parley:<name>` changed) and included from a main configuration of the test's own, in a temporary
 * folder that also holds nginx's pid file, logs and temporary files. Stopped (and its folder removed) by `stop()`.
 */
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/** Debian's nginx binary; PARLEY_TEST_NGINX names another. */
export const NGINX = process.env.PARLEY_TEST_NGINX || '/usr/sbin/nginx';

/** Why the nginx tests are skipped, or false: only when the binary is missing outside CI (under CI it fails). */
export const NGINX_SKIP: string | false =
  existsSync(NGINX) || process.env.CI
    ? false
    : `nginx is not installed at ${NGINX} (Debian's nginx; .ci/run installs it; under CI a missing nginx fails)`;

export const PRODUCTION_CONF = resolve(import.meta.dirname, '../../deploy/nginx/parley.conf');

export interface ConfValues {
  /** The port nginx listens on, on 127.0.0.1. */
  listenPort: number;
  /** Each `parley serve` as host:port. */
  instances: readonly string[];
}

/**
 * The production configuration with the marked lines set: `listen`, and the `server` line of the upstream repeated
 * once per instance (the marked line's own parameters kept). Any other line is left exactly as it is; a marker that
 * is missing fails, so the file and the test cannot drift apart silently.
 */
export function renderNginxConf(values: ConfValues, source = readFileSync(PRODUCTION_CONF, 'utf8')): string {
  const out: string[] = [];
  let listen = 0;
  let instanceLines = 0;
  for (const line of source.split('\n')) {
    if (line.endsWith('# parley:listen')) {
      listen++;
      out.push(line.replace(/listen\s+\S+;/, `listen 127.0.0.1:${values.listenPort};`));
    } else if (line.endsWith('# parley:instance')) {
      // The first marked line stands for every instance; the others (the file's second example) are dropped.
      if (instanceLines++ === 0)
        for (const instance of values.instances) out.push(line.replace(/server\s+\S+/, `server ${instance}`));
    } else out.push(line);
  }
  if (listen !== 1 || instanceLines === 0)
    throw new Error(`${PRODUCTION_CONF} lost its "# parley:listen" or "# parley:instance" lines`);
  return out.join('\n');
}

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as { port: number };
  await new Promise<void>((done) => server.close(() => done()));
  return port;
}

async function waitForPort(port: number, deadline: number, exited: () => boolean): Promise<void> {
  for (;;) {
    const ok = await new Promise<boolean>((done) => {
      const socket = connect(port, '127.0.0.1');
      socket.once('connect', () => {
        socket.destroy();
        done(true);
      });
      socket.once('error', () => done(false));
    });
    if (ok) return;
    if (exited()) throw new Error('nginx exited at start');
    if (Date.now() > deadline) throw new Error(`nginx did not listen on ${port} in time`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** The main configuration of a test's nginx (what Debian's nginx.conf would be, reduced), including parley.conf. */
function mainConf(dir: string): string {
  const temp = ['client_body', 'proxy', 'fastcgi', 'uwsgi', 'scgi']
    .map((kind) => `  ${kind}_temp_path ${join(dir, kind)};`)
    .join('\n');
  return `worker_processes 1;\nevents { worker_connections 512; }\nhttp {\n  access_log ${join(dir, 'access.log')};\n${temp}\n  include ${join(dir, 'parley.conf')};\n}\n`;
}

/** `nginx -t` on a Parley configuration (in the http context, as Debian's nginx.conf includes conf.d/*.conf). */
export function checkNginxConf(conf: string): { ok: boolean; output: string } {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-t-'));
  try {
    writeFileSync(join(dir, 'parley.conf'), conf);
    writeFileSync(join(dir, 'nginx.conf'), mainConf(dir));
    const args = [
      '-t',
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-g',
      `pid ${join(dir, 'nginx.pid')}; error_log stderr;`,
    ];
    const run = spawnSync(NGINX, args, { encoding: 'utf8' });
    return { ok: run.status === 0, output: `${run.stdout}${run.stderr}` };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export interface Nginx {
  /** The proxy's address: http://127.0.0.1:<port>. */
  url: string;
  /** The rendered production configuration nginx runs. */
  conf: string;
  /** The master process's pid (its workers are its children). */
  pid: number;
  /** nginx's output and error log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

/** Starts nginx with the production configuration in front of `instances` (host:port each). */
export async function startNginx(instances: readonly string[]): Promise<Nginx> {
  const dir = mkdtempSync(join(tmpdir(), 'parley-nginx-'));
  chmodSync(dir, 0o755); // run as root, nginx's workers are another user and keep their temporary files below it
  const port = await freePort();
  const conf = renderNginxConf({ listenPort: port, instances });
  writeFileSync(join(dir, 'parley.conf'), conf);
  writeFileSync(join(dir, 'nginx.conf'), mainConf(dir));
  const child = spawn(
    NGINX,
    [
      '-p',
      dir,
      '-c',
      join(dir, 'nginx.conf'),
      '-g',
      `daemon off; pid ${join(dir, 'nginx.pid')}; error_log ${join(dir, 'error.log')} warn;`,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const exited = new Promise<void>((done) => child.once('exit', () => done()));
  const log = () => {
    let file = '';
    try {
      file = readFileSync(join(dir, 'error.log'), 'utf8');
    } catch {
      // not written yet
    }
    return `${output}\n${file}`;
  };
  const running = () => child.exitCode === null && child.signalCode === null;
  try {
    await waitForPort(port, Date.now() + 10_000, () => !running());
  } catch (error) {
    if (running()) child.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw new Error(`${(error as Error).message}:\n${log()}`, { cause: error });
  }
  return {
    url: `http://127.0.0.1:${port}`,
    conf,
    pid: child.pid!,
    log,
    async stop() {
      if (running()) {
        child.kill('SIGTERM'); // fast shutdown: open streams are cut, the workers go with the master
        const timer = setTimeout(() => child.kill('SIGKILL'), 3000);
        await exited;
        clearTimeout(timer);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
