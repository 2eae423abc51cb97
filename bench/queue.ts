/**
 * `npm run bench:queue`: the desk's queue (`GET /api/v1/tickets`, through buildApp's route with a technician's API
 * token, as the desk calls it) at p99, beside a bare query of the same rows on the same connection, in the same run.
 *
 * For each database (SQLite file in WAL mode, PostgreSQL): a fresh database migrated up to the migration before
 * 015-queue, BENCH_QUEUE_TICKETS tickets (100,000) and BENCH_QUEUE_MESSAGES messages (1,000,000) inserted by one
 * `insert ... select` each from a recursive series, then the remaining migrations (015 indexes the existing rows:
 * its time is printed). Ten teams; the technician works in three of them (about 30 % of the tickets). Measured, each
 * BENCH_QUEUE_ITERATIONS times (300) after a warm-up, Parley and the bare query alternating: the first page
 * (newest first, 25), a filtered page (a team, in progress, nobody responsible), a search of a rare word (in 1 message of
 * 500) and one of a common word (in 2.5 % of the messages). Target: p99 < 50 ms.
 *
 * Environment: BENCH_QUEUE_TICKETS, BENCH_QUEUE_MESSAGES, BENCH_QUEUE_ITERATIONS, BENCH_DATABASES ("sqlite,postgres"),
 * PARLEY_TEST_POSTGRES_URL (the server where a database is created and dropped).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Migrator, sql, type Kysely, type RawBuilder } from 'kysely';
import { migrations } from '../migrations/index.ts';
import { openStorage } from '../src/adapters/storage/open-storage.ts';
import type { Database } from '../src/adapters/storage/sql/schema.ts';
import type { SqlStorage } from '../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../src/delivery/http/build-app.ts';
import { CLI_ORIGIN } from '../src/domain/audit/audit-entry.ts';
import { createApiToken } from '../src/domain/users/create-api-token.ts';
import { createUser } from '../src/domain/users/create-user.ts';
import { createPostgresDatabase } from '../test/support/databases.ts';
import { testDeps, TEST_PASSWORD } from '../test/support/fixtures.ts';
import { intEnv } from './settings.ts';

const TICKETS = intEnv('BENCH_QUEUE_TICKETS', 100_000, 100, 10_000_000);
const MESSAGES = intEnv('BENCH_QUEUE_MESSAGES', 1_000_000, 0, 100_000_000);
const ITERATIONS = intEnv('BENCH_QUEUE_ITERATIONS', 300, 10, 100_000);
const DATABASES = (process.env.BENCH_DATABASES || 'sqlite,postgres').split(',').map((s) => s.trim());
const REQUESTERS = 1000;
const TEAMS = 10;
const TARGET_MS = 50;
const WORDS = [
  'printer',
  'network',
  'password',
  'laptop',
  'monitor',
  'vpn',
  'email',
  'badge',
  'scanner',
  'keyboard',
  'firmware',
  'server',
  'backup',
  'license',
  'update',
  'screen',
  'phone',
  'drive',
  'account',
  'access',
  'install',
  'cable',
  'battery',
  'mouse',
  'wifi',
  'camera',
  'meeting',
  'calendar',
  'folder',
  'invoice',
  'payroll',
  'contract',
  'report',
  'database',
  'browser',
  'token',
  'router',
  'toner',
  'headset',
  'desk',
];

const log = (line: string) => process.stdout.write(`${line}\n`);

/** The n-th word of the vocabulary for a series value `g` (a different mix per factor). */
const word = (g: RawBuilder<unknown>, factor: number) =>
  sql`(case (${g} * ${sql.lit(factor)}) % ${sql.lit(WORDS.length)} ${sql.join(
    WORDS.map((w, i) => sql`when ${sql.lit(i)} then ${sql.lit(w)}`),
    sql` `,
  )} end)`;

async function seed(db: Kysely<Database>, pg: boolean, techId: number, otherId: number, teamIds: number[]) {
  const minutes = (g: RawBuilder<unknown>) =>
    pg
      ? sql`timestamptz '2025-01-01 00:00:00+00' + (${g}) * interval '1 minute'`
      : sql`strftime('%Y-%m-%dT%H:%M:%fZ', '2025-01-01', '+' || (${g}) || ' minutes')`;
  const series = (n: number) =>
    sql`with recursive s(g) as (select 1 union all select g + 1 from s where g < ${sql.lit(n)})`;
  const g = sql`g`;
  await sql`${series(REQUESTERS)} insert into app_user (email, name, role, locale, time_zone, active, created_at)
    select 'r' || g || '@bench.test', 'Requester ' || ${word(g, 7)} || ' ' || g, 'requester', 'en-US', 'UTC', ${sql.lit(pg ? true : 1)}, ${minutes(sql`0`)} from s`.execute(
    db,
  );
  const base = Number(
    (await sql<{ id: number }>`select min(id) as id from app_user where email like 'r%@bench.test'`.execute(db))
      .rows[0]!.id,
  );
  const team = sql`case g % ${sql.lit(TEAMS)} ${sql.join(
    teamIds.map((id, i) => sql`when ${sql.lit(i)} then ${sql.lit(id)}`),
    sql` `,
  )} end`;
  const status = sql`case g % 5 when 0 then 'new' when 1 then 'in_progress' when 2 then 'waiting' when 3 then 'resolved' else 'closed' end`;
  await sql`${series(TICKETS)} insert into ticket (title, description, status, requester_id, registered_by_id, group_id,
      responsible_id, created_at, updated_at, last_activity_at, public_activity_at)
    select ${word(g, 13)} || ' ' || ${word(g, 17)} || ' trouble (case ' || g || ')', 'Described at length.', ${status},
      ${sql.lit(base)} + g % ${sql.lit(REQUESTERS)}, ${sql.lit(base)} + g % ${sql.lit(REQUESTERS)}, ${team},
      case when g % 3 = 0 then null when g % 20 = 1 then ${sql.lit(techId)} else ${sql.lit(otherId)} end, ${minutes(g)}, ${minutes(g)},
      ${minutes(sql`g + (g * 37) % 5000`)}, ${minutes(g)} from s`.execute(db);
  const firstTicket = Number((await sql<{ id: number }>`select min(id) as id from ticket`.execute(db)).rows[0]!.id);
  const ticketOf = sql`${sql.lit(firstTicket)} + (g - 1) % ${sql.lit(TICKETS)}`;
  if (MESSAGES > 0)
    await sql`${series(MESSAGES)} insert into ticket_message (ticket_id, author_id, text, internal, send_email, source, created_at)
      select ${ticketOf}, case when g % 2 = 0 then ${sql.lit(techId)} else ${sql.lit(base)} + ((g - 1) % ${sql.lit(TICKETS)}) % ${sql.lit(REQUESTERS)} end,
        'About the ' || ${word(g, 3)} || ' and the ' || ${word(g, 11)} || ': it ' || ${word(g, 19)} || ' again, reference ' || g
          || case when g % 500 = 0 then ' quasar' else '' end,
        g % 7 = 0, ${sql.lit(pg ? false : 0)}, 'desk', ${minutes(sql`g % 100000`)} from s`.execute(db);
}

/** The same rows as the route's, by hand: the technician's tickets, filtered or searched, newest first. */
function bareQuery(pg: boolean, techId: number, teams: number[], extra: RawBuilder<unknown>) {
  return sql`select t.*, rq.name as requester_name, rg.name as registered_by_name, rs.name as responsible_name,
      g.name as group_name, exists (select 1 from ticket_seen s where s.user_id = ${techId} and s.ticket_id = t.id
        and s.seen_at >= t.last_activity_at) as seen
    from ticket t join app_user rq on rq.id = t.requester_id join app_user rg on rg.id = t.registered_by_id
      left join app_user rs on rs.id = t.responsible_id left join support_group g on g.id = t.group_id
    where (+t.responsible_id = ${techId} or +t.requester_id = ${techId} or +t.registered_by_id = ${techId}
      or +t.group_id in (${sql.join(teams)})) ${extra}
    order by t.id desc limit 26`;
}

function fullText(pg: boolean, w: string) {
  return pg
    ? sql`and t.id in (select id from ticket where to_tsvector('simple', title) @@ to_tsquery('simple', ${`'${w}':*`})
        union select ticket_id from ticket_message where to_tsvector('simple', text) @@ to_tsquery('simple', ${`'${w}':*`}))`
    : sql`and t.id in (select rowid from ticket_title_fts where ticket_title_fts match ${`"${w}"*`}
        union select m.ticket_id from ticket_message_fts f join ticket_message m on m.id = f.rowid where ticket_message_fts match ${`"${w}"*`})`;
}

function p99(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(sorted.length * 0.99) - 1)]!;
}

async function run(kind: string) {
  const dir = kind === 'sqlite' ? mkdtempSync(join(os.tmpdir(), 'parley-bench-queue-')) : null;
  const pgDb = kind === 'postgres' ? await createPostgresDatabase() : null;
  const storage: SqlStorage = openStorage(dir ? `sqlite:${join(dir, 'parley.db')}` : pgDb!.url);
  const pg = kind === 'postgres';
  try {
    const db = storage.kyselyInstance;
    const names = Object.keys(migrations);
    const before = names[names.indexOf('015-queue') - 1]!;
    const migrator = new Migrator({
      db,
      provider: { getMigrations: async () => migrations },
      migrationTableName: 'parley_migration',
      migrationLockTableName: 'parley_migration_lock',
    });
    const to = await migrator.migrateTo(before);
    if (to.error) throw to.error;
    const deps = testDeps(storage);
    const teamIds: number[] = [];
    for (let i = 0; i < TEAMS; i++)
      teamIds.push(
        Number(
          (
            await db
              .insertInto('support_group')
              .values({ name: `Team ${i}` })
              .returning('id')
              .executeTakeFirstOrThrow()
          ).id,
        ),
      );
    const myTeams = teamIds.slice(0, 3);
    const tech = await createUser(deps, CLI_ORIGIN, {
      role: 'technician',
      email: 'tech@bench.test',
      name: 'Bench Tech',
      password: TEST_PASSWORD,
      groupIds: myTeams,
    });
    let t0 = performance.now();
    const other = await createUser(deps, CLI_ORIGIN, {
      role: 'technician',
      email: 'other@bench.test',
      name: 'Other Tech',
      password: TEST_PASSWORD,
    });
    await seed(db, pg, tech.id, other.id, teamIds);
    log(
      `${kind}: seeded ${TICKETS} tickets and ${MESSAGES} messages in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    t0 = performance.now();
    await storage.migrate();
    if (pg) await sql`analyze`.execute(db);
    log(
      `${kind}: migration 015 (indexes, full-text index of the existing rows) in ${((performance.now() - t0) / 1000).toFixed(1)} s`,
    );
    const { token } = await createApiToken(deps, CLI_ORIGIN, 'tech@bench.test', 'bench');
    const app = await buildApp(deps);
    const call = async (query: string) => {
      const r = await app.inject({
        method: 'GET',
        url: `/api/v1/tickets${query}`,
        headers: { authorization: `Bearer ${token}` },
      });
      if (r.statusCode !== 200) throw new Error(`${query}: ${r.statusCode} ${r.body}`);
      return (r.json() as { items: unknown[] }).items.length;
    };
    const filtered = sql`and t.group_id = ${myTeams[1]!} and t.status = 'in_progress' and t.responsible_id is null`;
    const cases: [string, string, RawBuilder<unknown>][] = [
      ['first page', '', sql``],
      ['filtered page', `?groupId=${myTeams[1]}&status=in_progress&unassigned=true`, filtered],
      ['search, rare word', '?search=quasar', fullText(pg, 'quasar')],
      ['search, common word', '?search=firmware', fullText(pg, 'firmware')],
    ];
    log(`| database | call | rows | Parley p99 ms | bare p99 ms | ratio | p99 < ${TARGET_MS} ms |`);
    log('|:--|:--|--:|--:|--:|--:|:--|');
    for (const [name, query, extra] of cases) {
      const bare = bareQuery(pg, tech.id, myTeams, extra);
      const parley: number[] = [];
      const raw: number[] = [];
      let rows = 0;
      for (let i = 0; i < ITERATIONS + 10; i++) {
        let s = performance.now();
        rows = await call(query);
        const a = performance.now() - s;
        s = performance.now();
        await bare.execute(db);
        const b = performance.now() - s;
        if (i >= 10) {
          parley.push(a);
          raw.push(b);
        }
      }
      if (process.env.BENCH_QUEUE_EXPLAIN) {
        const plan = await sql`${sql.raw(pg ? 'explain analyze' : 'explain query plan')} ${bare}`.execute(db);
        log(plan.rows.map((row) => Object.values(row as object).join(' ')).join('\n'));
      }
      const [p, r] = [p99(parley), p99(raw)];
      log(
        `| ${kind} | ${name} | ${rows} | ${p.toFixed(2)} | ${r.toFixed(2)} | ${(p / r).toFixed(2)} | ${p < TARGET_MS ? 'yes' : 'NO'} |`,
      );
    }
    await app.close();
  } finally {
    await storage.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    await pgDb?.drop();
  }
}

log(
  `bench:queue ${TICKETS} tickets, ${MESSAGES} messages, ${ITERATIONS} calls each; load average ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
for (const kind of DATABASES) await run(kind);
log(
  `load average at the end ${os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}`,
);
