/** Changes made from the command line are in the audit log too, from "cli", with nobody signed in. */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { parley } from '../support/cli.ts';

describe('the audit log of the command line', () => {
  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it('parley user add, user password and token create are recorded from "cli"; the password and the token are not', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-audit-'));
    try {
      const env = { PARLEY_DATA_DIR: dir };
      const password = 'Cli-Secret-5h8&t';
      const add = await parley(
        ['user', 'add', '--role', 'admin', '--email', 'ops@example.test', '--name', 'Ops', '--password-stdin'],
        env,
        `${password}\n`,
      );
      assert.equal(add.code, 0, add.stderr);
      const reset = await parley(['user', 'password', '--email', 'ops@example.test'], env);
      assert.equal(reset.code, 0, reset.stderr);
      const newPassword = /New password for \S+: (\S+)/.exec(reset.stdout)![1]!;
      const token = await parley(['token', 'create', '--email', 'ops@example.test', '--name', 'backup'], env);
      assert.equal(token.code, 0, token.stderr);

      const storage = openSqliteStorage(join(dir, 'parley.db'));
      try {
        const { items } = await storage.audit.listAudit({}, { limit: 10 });
        assert.deepEqual(
          items.map((e) => [e.action, e.address, e.actorId, e.targetLabel]),
          [
            ['token.create', 'cli', null, 'backup'],
            ['user.password', 'cli', null, 'ops@example.test'],
            ['user.create', 'cli', null, 'ops@example.test'],
          ],
        );
        const text = JSON.stringify(items);
        for (const secret of [password, newPassword, token.stdout.trim()]) assert.equal(text.includes(secret), false);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
