/**
 * A host that can vanish, for tests of what the database does when a client's machine loses power: a network
 * namespace of its own (`ip netns`, Debian's iproute2), joined to this machine by a veth pair on a /30 of 10.213.0.0/16,
 * and a PostgreSQL server of its own (Debian's binaries, a cluster made by `initdb` in a temporary folder, run as the
 * `postgres` user) listening on this side's address only, trust auth. A process started `inside()` talks to the
 * server over that link; `vanish()` takes the link down on its side and stops the process, so the server's packets go
 * unanswered, as a host that lost power looks from the server. Needs root (namespaces); `stop()` removes everything.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, chownSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const IP = '/usr/sbin/ip';

/** The newest PostgreSQL server binaries Debian installed, or undefined. */
function postgresBin(): string | undefined {
  const root = '/usr/lib/postgresql';
  if (!existsSync(root)) return undefined;
  const versions = readdirSync(root)
    .filter((v) => existsSync(join(root, v, 'bin', 'initdb')))
    .sort((a, b) => Number(a) - Number(b));
  return versions.length > 0 ? join(root, versions.at(-1)!, 'bin') : undefined;
}

/** Whether this process may make network namespaces (root, with the capability a container may withhold). */
function mayMakeNamespaces(): boolean {
  if (process.getuid?.() !== 0 || !existsSync(IP)) return false;
  const probe = `parley-probe-${process.pid}`;
  try {
    execFileSync(IP, ['netns', 'add', probe], { stdio: 'ignore' });
    execFileSync(IP, ['netns', 'del', probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Why the vanishing-host tests are skipped, or false when they run: skipped only when this process may not make network
 * namespaces (not root, or a container without the capability). As root, iproute2 or PostgreSQL's server binaries
 * missing fails the test with a sentence saying so (.ci/run installs both).
 */
export const VANISHING_HOST_SKIP: string | false =
  process.getuid?.() !== 0
    ? 'needs root, to make a network namespace'
    : existsSync(IP) && !mayMakeNamespaces()
      ? 'network namespaces are refused here (a container without CAP_NET_ADMIN)'
      : false;

export interface VanishingHost {
  /** The server's URL from this side (database `postgres`). */
  url: string;
  /** Starts `node <args>` inside the namespace (the vanishing host), with `env`. */
  inside(args: string[], env?: Record<string, string>): ChildProcess;
  /** The link goes down on the host's side and its processes stop: nothing it sent before is answered again. */
  vanish(): void;
  /** The server's log, for a failing test's message. */
  log(): string;
  stop(): Promise<void>;
}

function uidOf(name: string): { uid: number; gid: number } {
  const line = readFileSync('/etc/passwd', 'utf8')
    .split('\n')
    .find((l) => l.startsWith(`${name}:`));
  if (!line) throw new Error(`There is no system user ${name}: is PostgreSQL installed?`);
  const [, , uid, gid] = line.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

const ip = (...args: string[]) => execFileSync(IP, args, { stdio: ['ignore', 'ignore', 'pipe'] });

/** A /30 of 10.213.0.0/16 that no interface of this machine is on. */
function freeSubnet(): string {
  const inUse = execFileSync(IP, ['-4', '-o', 'addr', 'show'], { encoding: 'utf8' });
  for (let i = 0; i < 256; i++) {
    const subnet = `10.213.${(process.pid + i) % 256}`;
    if (!inUse.includes(` ${subnet}.`)) return subnet;
  }
  throw new Error('no free /30 in 10.213.0.0/16');
}

/** A TCP port free on `address` now. */
async function freePort(address: string): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, address, resolve));
  const { port } = server.address() as AddressInfo;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startVanishingHost(): Promise<VanishingHost> {
  if (!existsSync(IP)) throw new Error(`iproute2 is not installed (${IP}); .ci/run installs it`);
  const bin = postgresBin();
  if (!bin)
    throw new Error(
      'PostgreSQL’s server binaries are not installed (/usr/lib/postgresql/*/bin); .ci/run installs them',
    );
  const postgres = uidOf('postgres');
  const tag = `${process.pid % 100_000}${Math.floor(Math.random() * 10)}`;
  const namespace = `parley-vh-${tag}`;
  const [here, there] = [`pvh${tag}a`, `pvh${tag}b`];
  const children: ChildProcess[] = [];
  let server: ChildProcess | undefined;
  let output = '';
  const made = { namespace: false, link: false };
  const dir = mkdtempSync(join(tmpdir(), 'parley-vanishing-'));
  /** What is left, removed at once (also when the runner ends this process): each step whatever the others did. */
  const removeNow = () => {
    for (const child of [...children, ...(server ? [server] : [])])
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    // Only what this run made: its end of the pair goes with the namespace, and the pair with it.
    for (const [mine, args] of [
      [made.namespace, ['netns', 'del', namespace]],
      [made.link, ['link', 'del', here]],
    ] as const) {
      try {
        if (mine) ip(...args);
      } catch {
        // gone with the namespace, or never there
      }
    }
    made.namespace = made.link = false;
    rmSync(dir, { recursive: true, force: true });
  };
  // The runner ends a file past its time limit with SIGTERM, and node's test harness then exits: removed on the way.
  const onSignal = () => process.exit(143);
  process.prependOnceListener('SIGTERM', onSignal);
  process.once('exit', removeNow);
  const cleanUp = async () => {
    process.off('SIGTERM', onSignal);
    process.off('exit', removeNow);
    if (server && server.exitCode === null && server.signalCode === null) {
      const exited = new Promise((resolve) => server!.once('exit', resolve));
      server.kill('SIGQUIT'); // PostgreSQL's immediate shutdown
      await exited;
    }
    removeNow();
  };
  try {
    const subnet = freeSubnet();
    const [serverAddress, hostAddress] = [`${subnet}.1`, `${subnet}.2`];
    ip('link', 'add', here, 'type', 'veth', 'peer', 'name', there);
    made.link = true;
    ip('netns', 'add', namespace);
    made.namespace = true;
    ip('link', 'set', there, 'netns', namespace);
    ip('addr', 'add', `${serverAddress}/30`, 'dev', here);
    ip('link', 'set', here, 'up');
    ip('netns', 'exec', namespace, IP, 'addr', 'add', `${hostAddress}/30`, 'dev', there);
    ip('netns', 'exec', namespace, IP, 'link', 'set', there, 'up');
    ip('netns', 'exec', namespace, IP, 'link', 'set', 'lo', 'up');

    const data = join(dir, 'data');
    chownSync(dir, postgres.uid, postgres.gid);
    // The C locale: the server's messages (its "ready" line below) in English whatever the machine's language.
    const env = { PATH: process.env.PATH ?? '', LC_ALL: 'C', LANG: 'C' };
    execFileSync(
      join(bin, 'initdb'),
      ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--locale=C', '--no-sync'],
      { uid: postgres.uid, gid: postgres.gid, env, stdio: ['ignore', 'ignore', 'pipe'] },
    );
    appendFileSync(join(data, 'pg_hba.conf'), `host all all ${subnet}.0/30 trust\n`);
    const port = await freePort(serverAddress);
    server = spawn(
      join(bin, 'postgres'),
      [
        '-D',
        data,
        '-p',
        String(port),
        '-c',
        `listen_addresses=${serverAddress}`,
        '-c',
        `unix_socket_directories=${dir}`,
        '-c',
        'fsync=off',
        '-c',
        'shared_buffers=16MB',
      ],
      { uid: postgres.uid, gid: postgres.gid, env, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    const started = server;
    await new Promise<void>((resolve, reject) => {
      const deadline = setTimeout(() => reject(new Error(`PostgreSQL was not ready in 30 s:\n${output}`)), 30_000);
      const seen = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('ready to accept connections')) {
          clearTimeout(deadline);
          resolve();
        }
      };
      started.stdout!.on('data', seen);
      started.stderr!.on('data', seen);
      started.once('exit', (code) => {
        clearTimeout(deadline);
        reject(new Error(`PostgreSQL exited (${code}) before it was ready:\n${output}`));
      });
    });
    return {
      url: `postgres://postgres@${serverAddress}:${port}/postgres`,
      inside(args, env = {}) {
        const child = spawn(IP, ['netns', 'exec', namespace, process.execPath, ...args], {
          env: { PATH: process.env.PATH ?? '', ...env },
          stdio: ['ignore', 'pipe', 'pipe'],
        });
        children.push(child);
        return child;
      },
      vanish() {
        ip('netns', 'exec', namespace, IP, 'link', 'set', there, 'down');
        for (const child of children) if (child.exitCode === null) child.kill('SIGSTOP');
      },
      log: () => output,
      stop: cleanUp,
    };
  } catch (error) {
    await cleanUp();
    throw error;
  }
}
