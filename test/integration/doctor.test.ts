/**
 * `parley doctor` against real parts: a real database (SQLite on disk, PostgreSQL), a real SMTP server requiring a
 * login (smtp-server), a real DNS server on loopback; a healthy configuration, then each problem it must name.
 */
import assert from 'node:assert/strict';
import { AesGcmSecretBox } from '../../src/adapters/crypto/aes-gcm-secret-box.ts';
import { openStorage } from '../../src/adapters/storage/open-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { loadConfig } from '../../src/config/config.ts';
import { doctor } from '../../src/delivery/cli/doctor.ts';
import { openReadOnly } from '../../src/delivery/cli/doctor/database.ts';
import { systemClock } from '../../src/adapters/system-clock.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { saveMailboxOAuth } from '../../src/domain/mailboxes/oauth/save-mailbox-oauth.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { trackerEndpoint } from '../support/tracker-endpoint.ts';
import type { Clock } from '../../src/ports/clock.ts';
import type { SecretBox } from '../../src/ports/secret-box.ts';
import { parley } from '../support/cli.ts';
import { createPostgresDatabase, postgres, sqliteFile, type TestDatabase } from '../support/databases.ts';
import { startDnsServer } from '../support/dns-server.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { SmtpSink } from '../support/smtp-sink.ts';

const KEY = 'test-secret-key-that-is-long-enough-for-parley'; // the key testDeps seals with
/** A key other than KEY: what a restore with the wrong key, or a lost key, leaves the secrets sealed with. */
const OTHER_KEY = 'another-key-another-key-another-key-0123';
const OTHER_BOX = new AesGcmSecretBox(OTHER_KEY);
const USER = 'desk-sender';
const PASS = 'smtp password 42';
const ZONE = {
  'desk.example.test': { mx: [{ priority: 10, exchange: 'mx.desk.example.test' }] },
  'a-only.example.test': { a: ['192.0.2.7'] },
  'no-records.example.test': {},
  // A null MX (RFC 7505): the domain takes no mail, whatever its address records.
  'null-mx.example.test': { mx: [{ priority: 0, exchange: '.' }], a: ['192.0.2.8'] },
};

interface Outcome {
  code: number;
  ok: string[];
  problems: string[];
}

for (const database of [sqliteFile, postgres] as TestDatabase[]) {
  describe(`parley doctor on ${database.name}`, () => {
    let db: Awaited<ReturnType<TestDatabase['open']>>;
    let sink: SmtpSink;
    let dns: Awaited<ReturnType<typeof startDnsServer>>;
    let dataDir: string;
    let saveAccount: (port: number) => Promise<unknown>;
    let setDefaultTeam: (id: number) => Promise<unknown>;
    let defaultTeamId: number;
    let deps: ReturnType<typeof testDeps>;
    let world: World;

    before(async () => {
      db = await database.open();
      sink = await SmtpSink.start();
      sink.requireAuth({ user: USER, pass: PASS });
      dns = await startDnsServer(ZONE);
      dataDir = mkdtempSync(join(tmpdir(), 'parley-doctor-'));
      deps = testDeps(db.storage);
      world = await buildWorld(deps);
      saveAccount = (port) =>
        saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
          host: '127.0.0.1',
          port,
          security: 'none',
          auth: true,
          user: USER,
          password: PASS,
          from: 'desk@desk.example.test',
        });
      await saveAccount(sink.port);
      setDefaultTeam = (id) => setParameter(deps, CLI_ORIGIN, world.admin, PARAM.DEFAULT_TEAM, id);
      defaultTeamId = world.groupA;
      await setDefaultTeam(defaultTeamId);
    });
    after(async () => {
      await sink.close();
      await dns.close();
      await db.storage.close();
      await db.drop();
      rmSync(dataDir, { recursive: true, force: true });
    });

    async function run(env: Record<string, string> = {}, clock?: Clock): Promise<Outcome> {
      const config = loadConfig(
        {
          PARLEY_DATABASE_URL: db.url,
          PARLEY_SECRET_KEY: KEY,
          PARLEY_MAIL_DOMAIN: 'desk.example.test',
          PARLEY_DATA_DIR: dataDir,
          PARLEY_SMTP_TIMEOUT_SECONDS: '2',
          PARLEY_LOG_LEVEL: 'silent',
          ...env,
        },
        { readDotEnv: false, createKey: false },
      );
      const ok: string[] = [];
      const problems: string[] = [];
      const code = await doctor(config, {
        out: (l) => ok.push(l),
        err: (l) => problems.push(l),
        resolver: dns.resolver(),
        ...(clock ? { clock } : {}),
      });
      return { code, ok, problems };
    }

    const line = (lines: string[], check: string) => lines.find((l) => l.includes(` ${check}: `));

    /** The plain secrets the helpers below store sealed: doctor never prints one, nor any sealed value. */
    const PLAIN = ['eu smtp password', 'eu imap password', 'sales client secret', 'sales refresh', 'sales access'];
    const assertNoSecretIn = (lines: string[]) => {
      for (const l of lines) {
        for (const plain of [...PLAIN, PASS]) assert.ok(!l.includes(plain), `a secret printed: ${l}`);
        assert.doesNotMatch(l, /v1\.[\w-]+\./, `a sealed value printed: ${l}`);
      }
    };

    /** Team mailbox "Support EU" with its SMTP and IMAP passwords sealed by `secrets`; answers its removal. */
    async function passwordMailbox(secrets: SecretBox): Promise<() => Promise<void>> {
      const mailbox = await createMailbox({ ...deps, secrets }, CLI_ORIGIN, {
        name: 'Support EU',
        fromAddress: 'support-eu@desk.example.test',
        smtpHost: 'smtp.example.test',
        smtpPort: 587,
        smtpSecurity: 'starttls',
        smtpAuth: 'password',
        smtpUser: 'support-eu',
        password: 'eu smtp password',
        imapHost: 'imap.example.test',
        imapPort: 993,
        imapSecurity: 'tls',
        imapUser: 'support-eu',
        imapPassword: 'eu imap password',
      });
      return async () => assert.ok(await db.storage.mailboxes.deleteMailbox(mailbox.id));
    }

    /**
     * Team mailbox "Sales" sending with OAuth2: its client secret (saved as in Admin) and its grant's refresh and
     * access tokens (stored as a finished Connect stores them) sealed by `secrets`; answers its removal.
     */
    async function oauthMailbox(secrets: SecretBox): Promise<() => Promise<void>> {
      const mailbox = await createMailbox({ ...deps, secrets }, CLI_ORIGIN, {
        name: 'Sales',
        fromAddress: 'sales@desk.example.test',
        smtpHost: 'smtp.example.test',
        smtpPort: 587,
        smtpSecurity: 'starttls',
        smtpAuth: 'oauth2',
      });
      await saveMailboxOAuth({ ...deps, secrets }, CLI_ORIGIN, mailbox.id, {
        provider: 'google',
        clientId: 'parley-sales',
        clientSecret: 'sales client secret',
        login: 'sales@desk.example.test',
      });
      const at = new Date();
      await db.storage.mailboxOAuth.storeGrant(
        mailbox.id,
        {
          refreshSealed: secrets.seal('sales refresh'),
          accessSealed: secrets.seal('sales access'),
          accessExpiresAt: new Date(at.getTime() + 3_600_000).toISOString(),
        },
        at.toISOString(),
        (await db.storage.mailboxOAuth.findGrant(mailbox.id))!.refreshes,
      );
      return async () => {
        await db.storage.mailboxOAuth.removeGrant(mailbox.id);
        assert.ok(await db.storage.mailboxes.deleteMailbox(mailbox.id));
      };
    }

    /** A webhook endpoint registered as in Admin, its signing secret sealed by `secrets`; its id and removal. */
    async function webhookEndpoint(secrets: SecretBox): Promise<{ id: number; remove: () => Promise<void> }> {
      const endpoint = await trackerEndpoint(db.storage, secrets);
      return {
        id: endpoint.id,
        remove: async () => assert.ok(await db.storage.webhooks.deleteWebhookEndpoint(endpoint.id)),
      };
    }

    /** Runs `work` with what `stores` store, one after the other, all removed afterwards (the other cases count). */
    async function withStored(stores: (() => Promise<() => Promise<void>>)[], work: () => Promise<void>) {
      const removals: (() => Promise<void>)[] = [];
      try {
        for (const store of stores) removals.push(await store());
        await work();
      } finally {
        for (const remove of removals) await remove();
      }
    }
    const everyKind = (secrets: SecretBox) => [
      () => passwordMailbox(secrets),
      () => oauthMailbox(secrets),
      async () => (await webhookEndpoint(secrets)).remove,
    ];

    it('a healthy configuration: every check passes, exit 0', async () => {
      const result = await run();
      assert.equal(result.code, 0, result.problems.join('\n'));
      assert.deepEqual(result.problems, []);
      for (const check of ['database', 'secret key', 'SMTP account', 'clock', 'default team', 'mail domain'])
        assert.match(line(result.ok, check) ?? '', /^ok /, `${check}: ${result.ok.join('\n')}`);
      assert.match(line(result.ok, 'secret key')!, /opens the 1 stored secret \(1 parameter password\)\.$/);
      assert.match(line(result.ok, 'SMTP account')!, /signed in/);
      assert.match(line(result.ok, 'mail domain')!, /mx\.desk\.example\.test \(MX\)/);
      assert.equal(sink.authAttempts.at(-1)?.accepted, true, 'the configured account signed in');
      // PostgreSQL's connection limit against one instance's pools (2·10 + 3); SQLite has none, and no line.
      const connections = line(result.ok, 'database connections');
      if (database.name === 'postgres') {
        const opens =
          'one parley serve may open 23 connections (PARLEY_DATABASE_POOL_SIZE=10, PARLEY_DISPATCHER=thread)';
        assert.ok(connections?.startsWith(`ok      database connections: ${opens}; PostgreSQL allows `), connections);
        assert.match(connections!, /allows \d+, (only )?\d+ free now/);
      } else assert.equal(connections, undefined);
    });

    it("the server's, the role's and the database's connection limits, against one instance's pools", async (t) => {
      const limits = await db.storage.connectionLimits();
      if (database.name !== 'postgres') {
        assert.equal(limits, null);
        const result = await run({ PARLEY_DATABASE_POOL_SIZE: '100' });
        assert.equal(line([...result.ok, ...result.problems], 'database connections'), undefined);
        return;
      }
      const server = limits!.find((l) => l.of === 'server')!;
      const check = async (env: Record<string, string>) => {
        const result = await run(env);
        return line([...result.ok, ...result.problems], 'database connections') ?? '';
      };
      // The server's own limit, when the largest pool passes it (PostgreSQL's default max_connections, 100, does).
      if (server.allowed < 203)
        assert.match(
          await check({ PARLEY_DATABASE_POOL_SIZE: '100' }),
          new RegExp(
            '^PROBLEM database connections: one parley serve may open 203 connections ' +
              '\\(PARLEY_DATABASE_POOL_SIZE=100, PARLEY_DISPATCHER=thread\\) ' +
              `but PostgreSQL allows ${server.allowed}: raise max_connections or lower`,
          ),
        );
      else t.diagnostic(`this server allows ${server.allowed} connections: its own limit is not passed here`);
      // A role of its own (not a superuser: the limits apply to it, and the superusers' reserve is not its own).
      const role = `parley_doctor_${process.pid}`;
      const url = new URL(db.url);
      url.username = role;
      const admin = (statement: string) =>
        db.storage.kyselyInstance.executeQuery(sql.raw(statement).compile(db.storage.kyselyInstance));
      await admin(`create role ${role} login connection limit 15`);
      try {
        await admin(`grant select on all tables in schema public to ${role}`);
        const asRole = { PARLEY_DATABASE_URL: url.toString() };
        assert.match(
          await check(asRole),
          new RegExp(
            "^PROBLEM database connections: .* open 23 connections .* but the database role's CONNECTION LIMIT " +
              "allows 15: raise the role's CONNECTION LIMIT",
          ),
        );
        assert.match(
          await check({ ...asRole, PARLEY_DISPATCHER: 'off' }),
          new RegExp(
            '^ok +database connections: one parley serve may open 11 connections .*; ' +
              "the database role's CONNECTION LIMIT allows 15, \\d+ free now\\.$",
          ),
        );
        await admin(`alter role ${role} connection limit -1`);
        const name = url.pathname.slice(1);
        await admin(`alter database "${name}" connection limit 12`);
        try {
          assert.match(
            await check(asRole),
            /^PROBLEM database connections: .* but the database's CONNECTION LIMIT allows 12: raise the database's/,
          );
        } finally {
          await admin(`alter database "${name}" connection limit -1`);
        }
      } finally {
        await admin(`drop owned by ${role}`);
        await admin(`drop role ${role}`);
      }
    });

    it('no default team: tickets opened without a team would reach no technician', async () => {
      // Parameter 9018 cannot be emptied through the API once set; a database from before it was named is like this.
      await db.storage.settings.setParameter(PARAM.DEFAULT_TEAM, null, new Date().toISOString(), null);
      try {
        const result = await run();
        assert.equal(result.code, 1);
        assert.match(
          line(result.problems, 'default team') ?? '',
          /^PROBLEM .*parameter 9018 is not set: a ticket opened/,
        );
      } finally {
        await setDefaultTeam(defaultTeamId);
      }
    });

    it('a wrong secret key: the stored SMTP password cannot be opened', async () => {
      const result = await run({ PARLEY_SECRET_KEY: OTHER_KEY });
      assert.equal(result.code, 1);
      assert.match(
        line(result.problems, 'secret key') ?? '',
        /^PROBLEM secret key: the key of PARLEY_SECRET_KEY cannot open the stored secret: the SMTP password \(parameter 13\)\. Restore the key they were sealed with, or enter them again: a parameter's password in Admin › SMTP account/,
      );
      assert.match(line(result.problems, 'SMTP account') ?? '', /not checked/);
      assert.ok(line(result.ok, 'database') && line(result.ok, 'clock'), 'the other checks still ran');
    });

    it("the key opens every sealed secret: the parameters', mailboxes' passwords, OAuth2 client and tokens, webhooks'", async () => {
      await withStored(everyKind(deps.secrets), async () => {
        const result = await run();
        assert.equal(result.code, 0, result.problems.join('\n'));
        assert.equal(
          line(result.ok, 'secret key'),
          'ok      secret key: PARLEY_SECRET_KEY opens the 6 stored secrets (1 parameter password, 2 mailbox ' +
            'passwords, 1 OAuth2 client secret, the tokens of 1 OAuth2 connection, 1 webhook signing secret).',
        );
        assertNoSecretIn([...result.ok, ...result.problems]);
      });
    });

    it("a team mailbox's SMTP and IMAP passwords sealed with another key are named, and where to enter them", async () => {
      await withStored([() => passwordMailbox(OTHER_BOX)], async () => {
        const result = await run();
        assert.equal(result.code, 1);
        const problem = line(result.problems, 'secret key') ?? '';
        assert.equal(
          problem,
          'PROBLEM secret key: the key of PARLEY_SECRET_KEY cannot open 2 of the 3 stored secrets: the SMTP password ' +
            'of mailbox "Support EU", the IMAP password of mailbox "Support EU". Restore the key they were sealed ' +
            "with, or enter them again: a mailbox's password by editing the mailbox in Admin › Mailboxes.",
        );
        assertNoSecretIn([...result.ok, ...result.problems]);
      });
    });

    it("an OAuth2 mailbox's client secret and tokens sealed with another key are named", async () => {
      await withStored([() => oauthMailbox(OTHER_BOX)], async () => {
        const result = await run();
        assert.equal(result.code, 1);
        const problem = line(result.problems, 'secret key') ?? '';
        assert.match(
          problem,
          /cannot open 2 of the 3 stored secrets: the OAuth2 client secret of mailbox "Sales", the OAuth2 tokens of mailbox "Sales"\. Restore/,
        );
        assert.match(problem, /an OAuth2 client secret by saving it .*; OAuth2 tokens by Reconnect/);
        assertNoSecretIn([...result.ok, ...result.problems]);
      });
    });

    it("a webhook endpoint's signing secret sealed with another key is named by the endpoint's number", async () => {
      const webhook = await webhookEndpoint(OTHER_BOX);
      await withStored([async () => webhook.remove], async () => {
        const result = await run();
        assert.equal(result.code, 1);
        assert.equal(
          line(result.problems, 'secret key'),
          `PROBLEM secret key: the key of PARLEY_SECRET_KEY cannot open 1 of the 2 stored secrets: the signing ` +
            `secret of webhook endpoint #${webhook.id}. Restore the key they were sealed with, or enter them again: ` +
            'a webhook signing secret by "Replace secret" in Admin › Webhooks (then give the receiver the new one).',
        );
        // The SMTP account's own password opens: it is still checked (and signs in).
        assert.match(line(result.ok, 'SMTP account')!, /signed in/);
        assertNoSecretIn([...result.ok, ...result.problems]);
      });
    });

    it('a wrong key with every kind stored: the first five named, "and N more", each place to enter them', async () => {
      await withStored(everyKind(deps.secrets), async () => {
        const result = await run({ PARLEY_SECRET_KEY: OTHER_KEY });
        assert.equal(result.code, 1);
        const problem = line(result.problems, 'secret key') ?? '';
        // Mailboxes by name ("Sales" first), then the webhook endpoint: the sixth is left unnamed.
        assert.ok(
          problem.startsWith(
            'PROBLEM secret key: the key of PARLEY_SECRET_KEY cannot open any of the 6 stored secrets: the SMTP ' +
              'password (parameter 13), the OAuth2 client secret of mailbox "Sales", the OAuth2 tokens of mailbox ' +
              '"Sales", the SMTP password of mailbox "Support EU", the IMAP password of mailbox "Support EU" and 1 ' +
              'more. Restore the key they were sealed with, or enter them again: ',
          ),
          problem,
        );
        assert.doesNotMatch(problem, /webhook endpoint #/);
        for (const where of [
          "a parameter's password",
          "a mailbox's password",
          'an OAuth2 client secret',
          'OAuth2 tokens',
          'Replace secret',
        ])
          assert.ok(problem.includes(where), `${where}: ${problem}`);
        assertNoSecretIn([...result.ok, ...result.problems]);
      });
    });

    it('an SMTP server that cannot be reached, or refuses the login', async () => {
      sink.requireAuth({ rejectAll: true });
      try {
        const refused = await run();
        assert.equal(refused.code, 1);
        assert.match(line(refused.problems, 'SMTP account') ?? '', /^PROBLEM .*Could not verify.*535/);
      } finally {
        sink.requireAuth({ user: USER, pass: PASS });
      }
      const closed = await SmtpSink.start();
      const port = closed.port;
      await closed.close();
      await saveAccount(port);
      try {
        const unreachable = await run();
        assert.equal(unreachable.code, 1);
        assert.match(line(unreachable.problems, 'SMTP account') ?? '', /^PROBLEM .*Could not verify.*ECONNREFUSED/);
      } finally {
        await saveAccount(sink.port);
      }
      assert.equal((await run()).code, 0, 'healthy again');
    });

    it("a clock a minute ahead of the database server's", async () => {
      const ahead = await run({}, { now: () => new Date(Date.now() + 60_000) });
      assert.equal(ahead.code, 1);
      assert.match(line(ahead.problems, 'clock') ?? '', /^PROBLEM .*(59|60)\.\d s ahead of the database server's/);
      const behind = await run({}, { now: () => new Date(Date.now() - 60_000) });
      assert.match(line(behind.problems, 'clock') ?? '', /s behind the database server's/);
    });

    it('the clock may be a sixth of the lease off: 2.5 s is too far with the default 10 s lease, not with 30 s', async () => {
      const ahead = { now: () => new Date(Date.now() + 2_500) };
      const short = await run({}, ahead);
      assert.match(line(short.problems, 'clock') ?? '', /^PROBLEM .*2\.5 s ahead .*\(at most 1\.7 s\)/);
      const long = await run({ PARLEY_LEASE_SECONDS: '30' }, ahead);
      assert.match(line(long.ok, 'clock') ?? '', /within 5 s of the database server's/);
    });

    it('a mail domain with only an A record passes; one with no record, a null MX, outside DNS or localhost does not', async () => {
      const aOnly = await run({ PARLEY_MAIL_DOMAIN: 'a-only.example.test' });
      assert.equal(aOnly.code, 0, aOnly.problems.join('\n'));
      assert.match(line(aOnly.ok, 'mail domain')!, /192\.0\.2\.7 \(A\/AAAA\)/);
      for (const domain of ['no-records.example.test', 'nowhere.example.test']) {
        const none = await run({ PARLEY_MAIL_DOMAIN: domain });
        assert.equal(none.code, 1);
        assert.match(line(none.problems, 'mail domain') ?? '', /has no MX, A or AAAA record/, domain);
      }
      const nullMx = await run({ PARLEY_MAIL_DOMAIN: 'null-mx.example.test' });
      assert.equal(nullMx.code, 1);
      assert.match(
        line(nullMx.problems, 'mail domain') ?? '',
        /^PROBLEM mail domain: null-mx\.example\.test publishes a null MX/,
      );
      const local = await run({ PARLEY_MAIL_DOMAIN: 'localhost' });
      assert.match(line(local.problems, 'mail domain') ?? '', /cannot receive mail: set PARLEY_MAIL_DOMAIN/);
    });

    // Last: the mail it queues stays, and the secret key's lines of the cases above are those of a desk without any.
    it('nothing sealed: the key is checked against the signed reply addresses of earlier notifications', async () => {
      // A desk relaying through a LAN server without a password stores no secret; its notifications' reply addresses
      // (reply+<ticket>.<recipient>.<signature>@…) are still signed with the key, and a wrong one holds every reply.
      await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
        host: '127.0.0.1',
        port: sink.port,
        security: 'none',
        auth: false,
        password: '',
        from: 'desk@desk.example.test',
      });
      try {
        await postMessage(deps, world.techA, {
          ticketNumber: world.ticketA.number,
          text: 'Which floor?',
          source: 'desk',
        });
        const wrong = await run({ PARLEY_SECRET_KEY: OTHER_KEY });
        assert.equal(wrong.code, 1);
        assert.equal(
          line(wrong.problems, 'secret key'),
          'PROBLEM secret key: PARLEY_SECRET_KEY does not match the key that signed the reply addresses of earlier ' +
            'notifications: replies to them would be held. Restore the key from your backup.',
        );
        const right = await run();
        assert.equal(
          line(right.ok, 'secret key'),
          'ok      secret key: PARLEY_SECRET_KEY signed the reply addresses of earlier notifications (no stored ' +
            'secret to open).',
        );
      } finally {
        await saveAccount(sink.port);
      }
      // With the SMTP password sealed again, a wrong key fails both; the reply addresses are named too.
      const both = await run({ PARLEY_SECRET_KEY: OTHER_KEY });
      assert.match(
        line(both.problems, 'secret key') ?? '',
        /cannot open the stored secret: the SMTP password \(parameter 13\)\. .* It does not match the key that signed the reply addresses of earlier notifications either: replies to them would be held\.$/,
      );
      const healthy = await run();
      assert.equal(healthy.code, 0, healthy.problems.join('\n'));
      assert.match(
        line(healthy.ok, 'secret key')!,
        /opens the 1 stored secret \(1 parameter password\) and signed the reply addresses of earlier notifications\.$/,
      );
    });
  });
}

describe('parley doctor, as a command', () => {
  it('an unmigrated database: exit 1 and the line says to run parley migrate; nothing is migrated', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-cli-'));
    try {
      writeFileSync(join(dir, 'parley.db'), '', { mode: 0o600 }); // an empty SQLite database
      const env = {
        PARLEY_DATA_DIR: dir,
        PARLEY_SECRET_KEY: KEY,
        PARLEY_MAIL_DOMAIN: 'localhost',
      };
      const run = await parley(['doctor'], env);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(
        run.stderr,
        /^PROBLEM database: sqlite lacks \d+ migration\(s\) \(001-core, .*run "parley migrate"/m,
      );
      assert.match(run.stderr, /^PROBLEM clock: not checked/m);
      const again = await parley(['doctor'], env);
      assert.match(again.stderr, /lacks \d+ migration/, 'doctor itself migrated nothing');
      assert.deepEqual(readdirSync(dir), ['parley.db']);
      assert.equal(statSync(join(dir, 'parley.db')).size, 0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('PostgreSQL is opened read-only: an unmigrated database is reported and left empty, and a write is refused', async () => {
    const db = await createPostgresDatabase();
    const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-cli-'));
    try {
      const env = {
        PARLEY_DATA_DIR: dir,
        PARLEY_DATABASE_URL: db.url,
        PARLEY_SECRET_KEY: KEY,
        PARLEY_MAIL_DOMAIN: 'localhost',
      };
      const run = await parley(['doctor'], env);
      assert.equal(run.code, 1, run.stdout + run.stderr);
      assert.match(run.stderr, /^PROBLEM database: postgres lacks \d+ migration\(s\) .*run "parley migrate"/m);
      const migrated = openStorage(db.url);
      try {
        const tables = await sql<{
          n: number;
        }>`select count(*)::int as n from pg_tables where schemaname = 'public'`.execute(migrated.kyselyInstance);
        assert.equal(tables.rows[0]!.n, 0, 'doctor created nothing');
        await migrated.migrate();
      } finally {
        await migrated.close();
      }
      // As doctor opens it (its own function): the server refuses a write, and reads work.
      const opened = openReadOnly(loadConfig(env, { readDotEnv: false }), systemClock);
      assert.ok('parley' in opened, 'opened');
      try {
        await assert.rejects(opened.parley.storage.people.createGroup('Written by doctor'), /read-only transaction/);
        assert.deepEqual(await opened.parley.storage.people.listGroups(), []);
      } finally {
        await opened.parley.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
      await db.drop();
    }
  });

  it('no SQLite database at the path: exit 1 in one line, and neither the file nor its folder is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-cli-'));
    try {
      // A restore to another path: "parley migrate" there would start a new, empty desk.
      const path = join(dir, 'restored', 'parley.db');
      const run = await parley(['doctor'], {
        PARLEY_DATA_DIR: dir,
        PARLEY_DATABASE_URL: `sqlite:${path}`,
        PARLEY_SECRET_KEY: KEY,
        PARLEY_MAIL_DOMAIN: 'localhost',
      });
      assert.equal(run.code, 1, run.stdout + run.stderr);
      const problems = run.stderr.trim().split('\n');
      assert.ok(problems[0]!.startsWith(`PROBLEM database: sqlite: no database at ${path}; `), run.stderr);
      assert.match(problems[0]!, /check PARLEY_DATABASE_URL and where the backup was restored/);
      assert.match(run.stderr, /^PROBLEM secret key: not checked/m);
      assert.doesNotMatch(run.stderr, /^\s+at /m, 'no stack trace');
      assert.deepEqual(readdirSync(dir), [], 'nothing created');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('a migrated SQLite database is opened as it is: its writes refused, no -wal or -shm file left', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-cli-'));
    try {
      const path = join(dir, 'parley.db');
      const env = { PARLEY_DATA_DIR: dir, PARLEY_SECRET_KEY: KEY, PARLEY_MAIL_DOMAIN: 'localhost' };
      const migrate = await parley(['migrate'], env);
      assert.equal(migrate.code, 0, migrate.stderr);
      assert.deepEqual(readdirSync(dir), ['parley.db']);
      const before = readFileSync(path);
      const run = await parley(['doctor'], env);
      assert.match(run.stdout, /^ok +database: sqlite reachable and fully migrated\.$/m, run.stdout + run.stderr);
      assert.deepEqual(readdirSync(dir), ['parley.db']);
      assert.ok(readFileSync(path).equals(before), 'the database file is unchanged');
      // As doctor opens it: SQLite refuses a write.
      const storage = openStorage(`sqlite:${path}`, { readOnly: true });
      try {
        await assert.rejects(storage.people.createGroup('Written by doctor'), /readonly database/);
      } finally {
        await storage.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('no secret key: exit 1 in one line, and no key is created', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'parley-doctor-cli-'));
    try {
      const run = await parley(['doctor'], { PARLEY_DATA_DIR: dir });
      assert.equal(run.code, 1);
      assert.match(run.stderr, /^parley: There is no secret key: PARLEY_SECRET_KEY is unset/);
      assert.equal(run.stderr.trim().split('\n').length, 1);
      assert.equal(existsSync(join(dir, 'secret.key')), false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
