/**
 * The command line, run as a person runs it: `node bin/parley.js <command>` in a child process.
 * A failing command prints one clear line on stderr and exits non-zero.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { migrations } from '../../migrations/index.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { testDeps } from '../support/fixtures.ts';
import { testApp, withToken } from '../support/http.ts';
import { assertOneLineFailure, parley, type Run } from '../support/cli.ts';

describe('parley CLI on SQLite', () => {
  let dir: string;
  let env: Record<string, string>;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'parley-cli-'));
    env = { PARLEY_DATA_DIR: dir };
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('migrate applies the migrations once, into the data folder by default', async () => {
    const first = await parley(['migrate'], env);
    assert.equal(first.code, 0, first.stderr);
    assert.match(
      first.stdout,
      // Every migration of this version, in order (the list the migrator is given).
      new RegExp(`Applied migrations: ${Object.keys(migrations).join(', ')}\\.`),
    );
    const again = await parley(['migrate'], env);
    assert.match(again.stdout, /up to date/);
  });

  it('user add creates a user, reading the password from stdin, and joins (or creates) the group', async () => {
    const run = await parley(
      [
        'user',
        'add',
        '--role',
        'technician',
        '--email',
        'Tech@Example.test',
        '--name',
        'Tânia Técnica',
        '--password-stdin',
        '--locale',
        'pt-BR',
        '--group',
        'Service Desk',
      ],
      env,
      'a long enough password\n',
    );
    assert.equal(run.code, 0, run.stderr);
    const id = Number(run.stdout.trim());
    assert.ok(Number.isInteger(id) && id > 0);
    const storage = openSqliteStorage(join(dir, 'parley.db'));
    try {
      const user = await storage.people.findUserByEmail('tech@example.test');
      assert.equal(user?.id, id);
      assert.equal(user?.locale, 'pt-BR');
      assert.equal(user?.name, 'Tânia Técnica');
      assert.match(user!.passwordHash!, /^scrypt\$/);
      const group = await storage.people.findGroupByName('Service Desk');
      assert.deepEqual(group?.memberIds, [id]);
    } finally {
      await storage.close();
    }
  });

  it('token create prints a token that the API accepts', async () => {
    const run = await parley(['token', 'create', '--email', 'tech@example.test'], env);
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    assert.match(token, /^prl_[\w-]{40,}$/);
    const storage = openSqliteStorage(join(dir, 'parley.db'));
    const app = await testApp(testDeps(storage));
    try {
      const me = await withToken(app, token).get('/api/v1/me');
      assert.equal(me.statusCode, 200);
      assert.equal(me.json().email, 'tech@example.test');
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it('token create --name --expires-in-days --scope makes a named, expiring, read-only token', async () => {
    const run = await parley(
      [
        'token',
        'create',
        '--email',
        'tech@example.test',
        '--name',
        'Nightly report',
        '--expires-in-days',
        '7',
        '--scope',
        'read',
      ],
      env,
    );
    assert.equal(run.code, 0, run.stderr);
    const token = run.stdout.trim();
    const storage = openSqliteStorage(join(dir, 'parley.db'));
    const app = await testApp(testDeps(storage));
    try {
      const reader = withToken(app, token);
      assert.equal((await reader.get('/api/v1/me')).statusCode, 200);
      assert.equal((await reader.post('/api/v1/tickets', { title: 'No', description: 'No' })).statusCode, 403);
      const listed = (await reader.get('/api/v1/me/tokens'))
        .json()
        .items.find((t: { name: string }) => t.name === 'Nightly report');
      assert.equal(listed.scope, 'read');
      const days = (Date.parse(listed.expiresAt) - Date.parse(listed.createdAt)) / 86_400_000;
      assert.equal(days, 7);
    } finally {
      await app.close();
      await storage.close();
    }
    assertOneLineFailure(
      await parley(['token', 'create', '--email', 'tech@example.test', '--scope', 'admin'], env),
      /scope must be read/,
    );
  });

  // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
  it('user password sets a password from stdin or a generated one; the new one signs in, the old one no longer; sessions and tokens end', async () => {
    // Before: a signed-in session and an API token of the person.
    const before = openSqliteStorage(join(dir, 'parley.db'));
    const beforeApp = await testApp(testDeps(before));
    let session: string;
    try {
      const signedIn = await beforeApp.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'tech@example.test', password: 'a long enough password' },
      });
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      session = String(signedIn.headers['set-cookie']).split(';')[0]!;
    } finally {
      await beforeApp.close();
      await before.close();
    }
    const token = (
      await parley(['token', 'create', '--email', 'tech@example.test', '--name', 'before'], env)
    ).stdout.trim();
    const changed = await parley(
      ['user', 'password', '--email', 'TECH@example.test', '--password-stdin'],
      env,
      'another long password\n',
    );
    assert.equal(changed.code, 0, changed.stderr);
    assert.equal(changed.stdout, 'Password changed for tech@example.test.\n');
    const storage = openSqliteStorage(join(dir, 'parley.db'));
    const app = await testApp(testDeps(storage));
    const login = async (password: string) =>
      (
        await app.inject({
          method: 'POST',
          url: '/api/v1/auth/login',
          payload: { email: 'tech@example.test', password },
        })
      ).statusCode;
    try {
      assert.equal(
        (await app.inject({ method: 'GET', url: '/api/v1/me', headers: { cookie: session } })).statusCode,
        401,
        'the old session ended',
      );
      assert.equal((await withToken(app, token).get('/api/v1/me')).statusCode, 401, 'the token was revoked');
      assert.equal(await login('another long password'), 200);
      assert.equal(await login('a long enough password'), 401);
      // Without --password-stdin a password is generated and shown once.
      const generated = await parley(['user', 'password', '--email', 'tech@example.test'], env);
      assert.equal(generated.code, 0, generated.stderr);
      const password = /^New password for tech@example\.test: (\S+) {3}\(shown only now\)\n$/.exec(
        generated.stdout,
      )?.[1];
      assert.ok(password && password.length >= 10, generated.stdout);
      assert.equal(await login(password), 200);
      assert.equal(await login('another long password'), 401);
      // Refused: an unknown person, a weak password (the rule of every other password), no email; nothing changes.
      assertOneLineFailure(
        await parley(
          ['user', 'password', '--email', 'ghost@example.test', '--password-stdin'],
          env,
          'a long enough password\n',
        ),
        /no user with the email ghost@example\.test/,
      );
      assertOneLineFailure(
        await parley(['user', 'password', '--email', 'tech@example.test', '--password-stdin'], env, 'short\n'),
        /A password must be 10 to 200 characters long\./,
      );
      assertOneLineFailure(
        await parley(['user', 'password', '--password-stdin'], env, 'a long enough password\n'),
        /user password needs --email/,
        2,
      );
      assert.equal(await login(password), 200);
    } finally {
      await app.close();
      await storage.close();
    }
  });

  it('failures print one clear line and exit non-zero', async () => {
    // Each fails before it writes anything: run at once, each checked on its own.
    const failures: [Promise<Run>, RegExp, number?][] = [
      [
        parley(['user', 'add', '--role', 'technician', '--email', 'tech@example.test', '--name', 'Again'], env),
        /already exists/,
      ],
      [parley(['user', 'add', '--role', 'wizard', '--email', 'w@example.test', '--name', 'W'], env), /Role must be/],
      [parley(['user', 'add', '--role', 'requester', '--name', 'No mail'], env), /needs --email/, 2],
      [
        parley(['user', 'add', '--role', 'requester', '--email', 'x@example.test', '--name', 'X', '--bogus'], env),
        /Unknown option '--bogus'/,
      ],
      [parley(['token', 'create', '--email', 'ghost@example.test'], env), /no user with the email/],
      [parley(['frobnicate'], env), /Unknown command "frobnicate"/, 2],
      [parley(['seed'], env), /needs --demo/, 2],
      [parley(['migrate'], { ...env, PARLEY_DATABASE_URL: 'mysql://x' }), /PARLEY_DATABASE_URL must be/],
      [parley(['migrate'], { ...env, PARLEY_PORT: 'eighty' }), /PARLEY_PORT must be a whole number/],
      [parley(['migrate'], { ...env, PARLEY_SECRET_KEY: 'short' }), /at least 32 characters/],
      [
        parley(
          ['user', 'add', '--role', 'requester', '--email', 'p@example.test', '--name', 'P', '--password-stdin'],
          env,
          'short\n',
        ),
        /password must be 10/,
      ],
    ];
    const runs = await Promise.all(failures.map(([run]) => run));
    runs.forEach((run, i) => assertOneLineFailure(run, failures[i]![1], failures[i]![2]));
  });

  it('reply-text prints what a reply mail would post, from files or standard input, with the trimmed part in --json', async () => {
    const file = join(import.meta.dirname, '../fixtures/eml/gmail-web-en.eml');
    const fromFile = await parley(['reply-text', file], env);
    assert.equal(fromFile.code, 0, fromFile.stderr);
    assert.equal(fromFile.stdout, 'Thanks, it works again after the restart.\n');
    const fromStdin = await parley(
      ['reply-text', '--json'],
      env,
      readFileSync(join(import.meta.dirname, '../fixtures/eml/outlook-desktop-pt.eml'), 'utf8'),
    );
    assert.equal(fromStdin.code, 0, fromStdin.stderr);
    const line = JSON.parse(fromStdin.stdout) as { file: string; text: string; trimmed: string };
    assert.equal(line.file, '-');
    assert.equal(line.text, 'Olá, o problema voltou hoje de manhã. Poderiam verificar?\n\nAtenciosamente,\nJoão');
    assert.match(line.trimmed, /^-----Mensagem original-----/);
    assertOneLineFailure(
      await parley(['reply-text', join(dir, 'missing.eml')], env),
      /missing\.eml cannot be read \(ENOENT\)/,
      2,
    );
  });

  it('seed --demo creates demo data with generated passwords, once', async () => {
    const run = await parley(['seed', '--demo'], env);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /admin\s+admin@parley\.test\s+\S{12,}/);
    assert.match(run.stdout, /Parameter 417 = \d+/);
    assert.match(run.stdout, /Parameter 9018 = \d+ \(the default team, Service Desk: tickets opened without a team\)/);
    const passwords = [...run.stdout.matchAll(/@parley\.test\s+(\S+)/g)].map((m) => m[1]);
    assert.equal(new Set(passwords).size, passwords.length, 'every account has its own password');
    const again = await parley(['seed', '--demo'], env);
    assert.equal(again.code, 0);
    assert.match(again.stdout, /already present/);
  });
});

describe('parley CLI on PostgreSQL', () => {
  it('migrates, adds a user and creates a token against a PostgreSQL database', async () => {
    const db = await createPostgresDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'parley-cli-pg-'));
    try {
      const env = { PARLEY_DATA_DIR: dir, PARLEY_DATABASE_URL: db.url };
      const migrate = await parley(['migrate'], env);
      assert.equal(migrate.code, 0, migrate.stderr);
      assert.match(migrate.stdout, /001-core/);
      const add = await parley(
        ['user', 'add', '--role', 'admin', '--email', 'pg@example.test', '--name', 'PG Admin'],
        env,
      );
      assert.equal(add.code, 0, add.stderr);
      const token = await parley(['token', 'create', '--email', 'pg@example.test'], env);
      assert.match(token.stdout.trim(), /^prl_/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });
});
