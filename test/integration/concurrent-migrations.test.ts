/**
 * Several instances starting at once on a new database: three `parley migrate` processes started together must all
 * succeed, and each migration must be applied by exactly one of them. PostgreSQL: Kysely's migrator holds an
 * advisory lock while it reads and applies them. SQLite: the migrator takes no lock (it counts on the only
 * connection), so Parley applies them in one `begin immediate` transaction (`sqliteDialect.migrateAlone`).
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { migrations } from '../../migrations/index.ts';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { parley, type Run } from '../support/cli.ts';
import { createPostgresDatabase } from '../support/databases.ts';

const PROCESSES = 3;

/** What each run says it applied: "Applied migrations: a, b." or "The database is up to date." */
function applied(run: Run): string[] {
  const m = /Applied migrations: (.*)\.\s*$/m.exec(run.stdout);
  if (m) return m[1]!.split(', ');
  assert.match(run.stdout, /up to date/, run.stdout + run.stderr);
  return [];
}

async function migrateAtOnce(env: Record<string, string>, open: () => SqlStorage) {
  const runs = await Promise.all(Array.from({ length: PROCESSES }, () => parley(['migrate'], env)));
  for (const run of runs) assert.equal(run.code, 0, run.stderr);
  const names = runs.flatMap(applied).sort();
  assert.deepEqual(names, Object.keys(migrations).sort(), 'each migration applied by exactly one process');
  const storage = open();
  try {
    const recorded = await storage.kyselyInstance
      .selectFrom('parley_migration' as never)
      .select('name' as never)
      .execute();
    assert.equal(recorded.length, Object.keys(migrations).length);
    assert.deepEqual(await storage.migrate(), [], 'nothing left to apply');
  } finally {
    await storage.close();
  }
}

describe('migrations when several instances start at once', () => {
  it(`PostgreSQL: ${PROCESSES} parley migrate at the same moment on a new database all succeed, each migration applied once`, async () => {
    const db = await createPostgresDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
    try {
      await migrateAtOnce({ PARLEY_DATABASE_URL: db.url, PARLEY_DATA_DIR: dir }, () =>
        openPostgresStorage(db.url, { max: 1 }),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it(`SQLite: ${PROCESSES} parley migrate at the same moment on a new file all succeed, each migration applied once (three rounds)`, async () => {
    for (let round = 1; round <= 3; round++) {
      const dir = mkdtempSync(join(tmpdir(), 'parley-migrate-'));
      try {
        const file = join(dir, 'parley.db');
        await migrateAtOnce({ PARLEY_DATABASE_URL: `sqlite:${file}`, PARLEY_DATA_DIR: dir }, () =>
          openSqliteStorage(file),
        );
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });
});
