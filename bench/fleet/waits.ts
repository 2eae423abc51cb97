/**
 * What PostgreSQL's busy backends are doing during a phase of `bench/several-instances.ts`: `pg_stat_activity` of the
 * phase's database sampled every `everyMs`, each active backend counted under its wait event ("CPU" when it waits for
 * nothing). A lock convoy (`Lock: object`, PostgreSQL's NOTIFY lock held through a commit's flush; `Lock: tuple`) or a
 * flush-bound server (`IO: WALSync`) shows here when it does not show in the CPU. One connection of its own, a query
 * every 100 ms by default. Each query is dear: sampling every 10 ms took about 12 % of a core on the server and 6 % in
 * this process (measured on an idle database, session 25), which crowded the set-up being measured, the fleet most.
 */
import pg from 'pg';

export interface WaitSampler {
  /**
   * Stops sampling; the line to print: mean active backends, the five most common states with their share, the
   * commits per message (not counting the sampler's own: its queries, the first reading's, the flush's) and how many
   * connections were opened in the phase (`pg_stat_database`).
   */
  stop(messages: number): Promise<string>;
}

const COUNTS = `select xact_commit::float8 as commits, sessions::float8 as sessions from pg_stat_database
  where datname = current_database()`;

export async function sampleWaits(databaseUrl: string, everyMs = 100): Promise<WaitSampler> {
  const client = new pg.Client({ connectionString: databaseUrl });
  let failed: Error | undefined;
  client.on('error', (error) => (failed ??= error)); // a dropped connection ends the sampling, not the benchmark
  await client.connect();
  const before = await client
    .query<{ commits: number; sessions: number }>(COUNTS)
    .then((r) => r.rows[0]!)
    .catch(async (error: Error) => {
      await client.end().catch(() => {});
      throw error;
    });
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running && !failed) {
      const { rows } = await client.query<{ wait: string }>(
        `select coalesce(wait_event_type || ': ' || wait_event, 'CPU') as wait from pg_stat_activity
          where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
      );
      samples++;
      for (const { wait } of rows) counts.set(wait, (counts.get(wait) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })().catch((error: Error) => void (failed ??= error));
  return {
    async stop(messages: number) {
      running = false;
      await loop;
      const after = failed
        ? undefined
        : await new Promise((resolve) => setTimeout(resolve, 1100)) // the backends' statistics, flushed
            .then(() => client.query('select pg_stat_force_next_flush()')) // this connection's own counts too
            .then(() => client.query<{ commits: number; sessions: number }>(COUNTS))
            .then((r) => r.rows[0]!)
            .catch((error: Error) => void (failed ??= error));
      await client.end().catch(() => {});
      if (!after) return `PostgreSQL's active backends: not sampled to the end (${failed?.message})`;
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const top = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([wait, n]) => `${wait} ${((100 * n) / Math.max(total, 1)).toFixed(0)} %`);
      const perMessage = (n: number) => (n / Math.max(messages, 1)).toFixed(2);
      const active = (total / Math.max(samples, 1)).toFixed(2);
      const commits = perMessage(after.commits - before.commits - samples - 2);
      const opened = after.sessions - before.sessions;
      const states = top.join(', ') || 'none';
      const counted = `per message ${commits} commits; ${opened} connections opened`;
      return `PostgreSQL's active backends: ${active} on average; ${states}; ${counted}`;
    },
  };
}
