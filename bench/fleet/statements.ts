/**
 * The statements a phase of `bench/several-instances.ts` ran on its database, per message, read from
 * `pg_stat_statements`: how many of each and their time (planning and execution). Only with BENCH_STATEMENTS=1 and when
 * the server loads the extension (`shared_preload_libraries = 'pg_stat_statements'`, a restart; the benchmark creates
 * the extension in the server's `postgres` database and resets its counts at each phase). A statement whose text
 * varies (an `in` list of varying length) counts once per text.
 */
import pg from 'pg';

export interface StatementReader {
  /** The phase's `top` statements by calls, one line each, or why there are none. */
  stop(messages: number, top?: number): Promise<string>;
}

export async function readStatements(databaseUrl: string): Promise<StatementReader> {
  const url = new URL(databaseUrl);
  const database = decodeURIComponent(url.pathname.slice(1));
  url.pathname = '/postgres';
  const client = new pg.Client({ connectionString: url.toString() });
  client.on('error', () => {}); // a dropped connection reports at stop, not as a crash
  await client.connect();
  const failed = await client
    .query('create extension if not exists pg_stat_statements')
    .then(() => client.query('select pg_stat_statements_reset()'))
    .then(() => undefined)
    .catch((error: Error) => error);
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
