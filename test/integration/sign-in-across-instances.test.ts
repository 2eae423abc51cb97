/**
 * Several `parley serve` on one database count sign-in failures together: two apps, each on its own storage (its
 * own connections) to one PostgreSQL database, and to one SQLite file. Failures on one slow the other, and parallel
 * guesses spread over both are let through exactly as many times as the limits allow.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';

interface Shared {
  name: string;
  /** Two storages on one fresh database, and how to remove it. */
  open(): Promise<{ storages: [SqlStorage, SqlStorage]; drop(): Promise<void> }>;
}

const SHARED: Shared[] = [
  {
    name: 'PostgreSQL',
    async open() {
      const db = await createPostgresDatabase();
      const storages: [SqlStorage, SqlStorage] = [
        openPostgresStorage(db.url, { max: 4 }),
        openPostgresStorage(db.url, { max: 4 }),
      ];
      return { storages, drop: db.drop };
    },
  },
  {
    name: 'one SQLite file',
    async open() {
      const dir = mkdtempSync(join(tmpdir(), 'parley-instances-'));
      const path = join(dir, 'parley.db');
      const first = openSqliteStorage(path);
      await first.migrate();
      const storages: [SqlStorage, SqlStorage] = [first, openSqliteStorage(path)];
      return { storages, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  },
];

for (const shared of SHARED) {
  describe(`the sign-in limiter across two instances on ${shared.name}`, () => {
    let storages: SqlStorage[];
    let drop: () => Promise<void>;
    let apps: FastifyInstance[];
    let world: World;

    before(async () => {
      ({ storages, drop } = await shared.open());
      await storages[0]!.migrate();
      const deps = storages.map((s) => testDeps(s));
      world = await buildWorld(deps[0]!);
      apps = await Promise.all(deps.map((d) => buildApp(d)));
    });
    after(async () => {
      await Promise.all(apps.map((a) => a.close()));
      await Promise.all(storages.map((s) => s.close()));
      await drop();
    });

    const login = (app: FastifyInstance, remoteAddress: string, email: string, password: string) =>
      app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });

    // threat: Sign-in failures counted by one instance slow the others on the same database
    it('failures on one instance slow the other', async () => {
      const email = world.techA.email;
      for (let i = 0; i < 5; i++)
        assert.equal((await login(apps[0]!, '198.51.100.1', email, `guess ${i}`)).statusCode, 401);
      const refused = await login(apps[1]!, '198.51.100.1', email, TEST_PASSWORD);
      assert.equal(refused.statusCode, 429, refused.body);
      assert.equal(refused.json().code, 'AUTH_RATE_LIMITED');
      assert.equal((await login(apps[1]!, '198.51.100.2', email, TEST_PASSWORD)).statusCode, 200, 'another address');
    });

    it('a success on one instance takes back what it counted on the other', async () => {
      const email = world.techB.email;
      for (let i = 0; i < 4; i++)
        assert.equal((await login(apps[0]!, '198.51.100.3', email, `guess ${i}`)).statusCode, 401);
      assert.equal((await login(apps[1]!, '198.51.100.3', email, TEST_PASSWORD)).statusCode, 200);
      for (let i = 0; i < 4; i++)
        assert.equal((await login(apps[0]!, '198.51.100.3', email, `again ${i}`)).statusCode, 401, 'counting anew');
    });

    // threat: Sign-in failures counted by one instance slow the others on the same database
    it('parallel guesses spread over both instances: exactly the five free attempts are checked', async () => {
      const email = world.requesterA.email;
      const answers = await Promise.all(
        Array.from({ length: 30 }, (_, i) => login(apps[i % 2]!, '198.51.100.4', email, `parallel ${i}`)),
      );
      const statuses = answers.map((a) => a.statusCode);
      assert.equal(statuses.filter((s) => s === 401).length, 5, statuses.join(' '));
      assert.equal(statuses.filter((s) => s === 429).length, 25, statuses.join(' '));
    });
  });
}
