/**
 * The statements a phase of `bench/several-instances.ts` ran on its database, per message, read from
 * `pg_stat_statements`: how many of each and their time (execution, and planning when the server tracks it:
 * `pg_stat_statements.track_planning`). Only with BENCH_STATEMENTS=1 and when the server loads the extension
 * (`shared_preload_libraries = 'pg_stat_statements'`, a restart); the benchmark then creates it in the server's
 * `postgres` database if missing and resets the counts of the phase's database alone. A statement whose text varies
 * (an `in` list of varying length) counts once per text; the waits sampler's own queries are listed too.
 */
import pg from 'pg';

export interface StatementReader {
  /** The phase's `top` statements by calls, one line each, or why there are none; closes the connection. */
  stop(messages: number, top?: number): Promise<string>;
}

const LOADED = `select 1 from pg_settings where name = 'shared_preload_libraries'
  and 'pg_stat_statements' = any(string_to_array(replace(setting, ' ', ''), ','))`;

export async function readStatements(databaseUrl: string): Promise<StatementReader> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => {}); // a dropped connection reports at stop, not as a crash
  const started = (async () => {
    await client.connect();
    if ((await client.query(LOADED)).rowCount === 0) throw new Error('the server does not load pg_stat_statements');
    await client.query('create extension if not exists pg_stat_statements');
    await client.query(`select pg_stat_statements_reset(0, (select oid from pg_database where datname = $1), 0)`, [
      database,
    ]);
  })().catch((error: Error) => error);
  const failed = await started;
  return {
    async stop(messages, top = 12) {
      try {
        if (failed) return `statements: not read (${failed.message})`;
        const { rows } = await client.query<{ text: string; calls: string; ms: number }>(
          `select left(regexp_replace(s.query, '\\s+', ' ', 'g'), 100) as text, s.calls,
             s.total_exec_time + s.total_plan_time as ms
           from pg_stat_statements s join pg_database d on d.oid = s.dbid
           where d.datname = $1 order by s.calls desc limit $2`,
          [database, top],
        );
        const per = (n: number) => (n / Math.max(messages, 1)).toFixed(3);
        return ['statements per message (calls, ms):']
          .concat(rows.map((r) => `        ${per(Number(r.calls))}  ${per(r.ms)} ms  ${r.text}`))
          .join('\n');
      } catch (error) {
        return `statements: not read (${(error as Error).message})`;
      } finally {
        await client.end().catch(() => {});
      }
    },
  };
}
