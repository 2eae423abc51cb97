/**
 * The systemd units of deploy/systemd/: each role's command, the environment file, a dedicated user and the
 * hardening docs/operations.md promises; and `systemd-analyze verify` finds nothing to say (where it exists).
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it } from 'node:test';

const DIR = resolve(import.meta.dirname, '../../deploy/systemd');
const ROLES = ['serve', 'dispatch', 'ingest'] as const;

/** Section -> key -> every value the key was given, in order (comments and blank lines skipped). */
function parseUnit(text: string): Map<string, Map<string, string[]>> {
  const sections = new Map<string, Map<string, string[]>>();
  let current: Map<string, string[]> | undefined;
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#') || line.startsWith(';')) continue;
    const header = /^\[(.+)\]$/.exec(line);
    if (header) {
      current = new Map();
      sections.set(header[1]!, current);
      continue;
    }
    const eq = line.indexOf('=');
    assert.ok(current && eq > 0, `a key inside a section: "${line}"`);
    const key = line.slice(0, eq).trim();
    current.set(key, [...(current.get(key) ?? []), line.slice(eq + 1).trim()]);
  }
  return sections;
}

const SAME_FOR_EVERY_ROLE: Record<string, string> = {
  User: 'parley',
  Group: 'parley',
  EnvironmentFile: '/etc/parley/parley.env',
  NoNewPrivileges: 'yes',
  ProtectSystem: 'strict',
  ReadWritePaths: '/var/lib/parley',
  StateDirectory: 'parley',
  ProtectHome: 'yes',
  PrivateTmp: 'yes',
  PrivateDevices: 'yes',
  RestrictAddressFamilies: 'AF_UNIX AF_INET AF_INET6',
  SystemCallFilter: '@system-service',
  Restart: 'always',
};

describe('deploy/systemd units', () => {
  for (const role of ROLES) {
    it(`parley-${role}.service runs "parley ${role}" as the parley user, hardened, restarted, memory-capped`, () => {
      const unit = parseUnit(readFileSync(join(DIR, `parley-${role}.service`), 'utf8'));
      const service = unit.get('Service');
      assert.ok(service, 'a [Service] section');
      const one = (key: string) => {
        const values = service.get(key);
        assert.ok(values && values.length > 0, `${key} is set`);
        return values.at(-1)!; // systemd: the last assignment wins
      };
      assert.match(one('ExecStart'), new RegExp(`^/usr/bin/node /opt/parley/bin/parley\\.js ${role}$`));
      for (const [key, value] of Object.entries(SAME_FOR_EVERY_ROLE)) assert.equal(one(key), value, key);
      assert.ok(Number(/^(\d+)s?$/.exec(one('RestartSec'))?.[1]) <= 5, 'restarted within a few seconds');
      assert.match(one('MemoryMax'), /^\d+[MG]$/);
      assert.notEqual(service.get('MemoryDenyWriteExecute')?.at(-1), 'yes', "V8's JIT needs writable code pages");
      // Capabilities: none, except binding port 25 for the receiver.
      const capabilities = role === 'ingest' ? 'CAP_NET_BIND_SERVICE' : '';
      assert.equal(one('CapabilityBoundingSet'), capabilities);
      assert.equal(service.get('AmbientCapabilities')?.at(-1) ?? '', capabilities);
      assert.equal(unit.get('Install')?.get('WantedBy')?.at(-1), 'multi-user.target');
    });
  }

  const analyze = spawnSync('systemd-analyze', ['--version'], { encoding: 'utf8' });
  it(
    'systemd-analyze verify accepts them without a warning',
    { skip: analyze.error ? 'systemd-analyze is not installed here' : false },
    () => {
      const files = ROLES.map((role) => join(DIR, `parley-${role}.service`));
      const run = spawnSync('systemd-analyze', ['verify', '--man=no', ...files], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      // Unknown keys and bad values are only warned about (exit 0): any output is a mistake in a unit.
      assert.equal(run.stderr.trim(), '');
      assert.equal(run.stdout.trim(), '');
    },
  );
});
