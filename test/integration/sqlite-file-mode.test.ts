/**
 * The SQLite database, its WAL and its shared-memory file are readable by their owner only (0600), whatever the umask.
 */
import assert from 'node:assert/strict';
import { chmodSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';

const mode = (file: string) => statSync(file).mode & 0o777;

describe('SQLite files are created 0600', () => {
  const dir = mkdtempSync(join(tmpdir(), 'parley-mode-'));
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('a new database, its -wal and -shm are 0600 and a new data folder 0700, under a permissive umask', async () => {
    const previous = process.umask(0o002);
    try {
      const path = join(dir, 'new', 'parley.db');
      const storage = openSqliteStorage(path);
      await storage.migrate();
      await storage.people.createGroup('Written through the WAL');
      for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(file).toString(8), '600', file);
      assert.equal(mode(join(dir, 'new')).toString(8), '700');
      await storage.close();
    } finally {
      process.umask(previous);
    }
  });

  it('an existing database left readable by others is narrowed to 0600 when opened', async () => {
    const path = join(dir, 'old.db');
    writeFileSync(path, '');
    chmodSync(path, 0o644);
    const storage = openSqliteStorage(path);
    await storage.migrate();
    for (const file of [path, `${path}-wal`, `${path}-shm`]) assert.equal(mode(file).toString(8), '600', file);
    await storage.close();
  });
});
