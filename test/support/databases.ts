import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';

/** The PostgreSQL server tests use; each test run creates and drops its own databases there. */
export const POSTGRES_ADMIN_URL = process.env.PARLEY_TEST_POSTGRES_URL || 'postgres://postgres@127.0.0.1:5432/postgres';

export interface TestDatabase {
  name: 'sqlite-memory' | 'sqlite-file' | 'postgres';
  /** A fresh, migrated database; `drop` removes it. */
  open(): Promise<{ storage: SqlStorage; url: string; drop(): Promise<void> }>;
}

async function adminQuery(...statements: string[]) {
  const client = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await client.connect();
  try {
    for (const sql of statements) await client.query(sql);
  } finally {
    await client.end();
  }
}

/** The databases this process created (or was creating) and has not dropped yet. */
const undropped = new Set<string>();
const dropDatabase = (name: string) => adminQuery(`drop database if exists ${name} with (force)`);

// A test that forgets to drop its database fails: its file's process exits 1 naming it (dropped at exit, below).
let reported = false;
process.on('beforeExit', () => {
  if (undropped.size === 0 || reported) return;
  reported = true;
  console.error(`Databases created and never dropped (call drop() in after()): ${[...undropped].join(', ')}`);
  process.exitCode = 1;
});

// Whatever is left when the process ends, also by process.exit() (a signal handler, a watchdog), which never reaches
// beforeExit, is dropped here, synchronously, by Debian's psql (installed with the server): nothing stays behind.
process.on('exit', () => {
  for (const name of undropped) {
    const dropped = spawnSync(
      'psql',
      [
        '-X',
        '-w',
        '-v',
        'ON_ERROR_STOP=1',
        '-q',
        '-d',
        POSTGRES_ADMIN_URL,
        '-c',
        `drop database if exists ${name} with (force)`,
      ],
      { encoding: 'utf8', timeout: 10_000 },
    );
    if (dropped.status !== 0)
      console.error(`Database ${name} was left on the server (${(dropped.stderr || String(dropped.error)).trim()}).`);
  }
});

export async function createPostgresDatabase(): Promise<{ url: string; drop(): Promise<void> }> {
  const name = `parley_test_${process.pid}_${randomBytes(4).toString('hex')}`;
  // Commented with the file that made it, so a database left on the server (a run killed midway) tells where it came
  // from. Tracked from before it exists: dropping one that does not is harmless.
  const file = (process.argv[1] ?? 'unknown').replace(/.*\/(src|test|bench)\//, '$1/').replace(/'/g, '');
  undropped.add(name);
  try {
    await adminQuery(`create database ${name}`, `comment on database ${name} is '${file}'`);
  } catch (error) {
    // Not handed out: dropped here (or at exit, if this fails too).
    await dropDatabase(name).then(
      () => undropped.delete(name),
      () => {},
    );
    throw error;
  }
  const url = new URL(POSTGRES_ADMIN_URL);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: async () => {
      await dropDatabase(name);
      undropped.delete(name);
    },
  };
}

export const sqliteMemory: TestDatabase = {
  name: 'sqlite-memory',
  async open() {
    const storage = openSqliteStorage(':memory:');
    await storage.migrate();
    return { storage, url: 'sqlite::memory:', drop: async () => {} };
  },
};

export const sqliteFile: TestDatabase = {
  name: 'sqlite-file',
  async open() {
    const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
    const url = `sqlite:${join(dir, 'parley.db')}`;
    const storage = openSqliteStorage(join(dir, 'parley.db'));
    await storage.migrate();
    return { storage, url, drop: async () => rmSync(dir, { recursive: true, force: true }) };
  },
};

export const postgres: TestDatabase = {
  name: 'postgres',
  async open() {
    const db = await createPostgresDatabase();
    const storage = openPostgresStorage(db.url, { max: 4 });
    await storage.migrate();
    return { storage, url: db.url, drop: db.drop };
  },
};

/** Every real database the storage contract runs against. */
export const ALL_DATABASES: readonly TestDatabase[] = [sqliteMemory, sqliteFile, postgres];
