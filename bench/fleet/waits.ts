/**
 * What PostgreSQL's busy backends are doing during a phase of `bench/several-instances.ts`: `pg_stat_activity` of the
 * phase's database sampled every `everyMs`, each active backend counted under its wait event ("CPU" when it waits for
 * nothing). A lock convoy (`Lock: object`, PostgreSQL's NOTIFY lock held through a commit's flush; `Lock: tuple`) or a
 * flush-bound server (`IO: WALSync`) shows here when it does not show in the CPU. One connection of its own; a query
 * every 10 ms costs the server well under 1 % of a core, the same for both set-ups.
 */
import pg from 'pg';

export interface WaitSampler {
  /** Stops sampling; the line to print: mean active backends, and the five most common states with their share. */
  stop(): Promise<string>;
}

export async function sampleWaits(databaseUrl: string, everyMs = 10): Promise<WaitSampler> {
  const client = new pg.Client({ connectionString: databaseUrl });
  await client.connect();
  const counts = new Map<string, number>();
  let samples = 0;
  let running = true;
  const loop = (async () => {
    while (running) {
      const { rows } = await client.query<{ wait: string }>(
        `select coalesce(wait_event_type || ': ' || wait_event, 'CPU') as wait from pg_stat_activity
          where datname = current_database() and state = 'active' and pid <> pg_backend_pid()`,
      );
      samples++;
      for (const { wait } of rows) counts.set(wait, (counts.get(wait) ?? 0) + 1);
      await new Promise((resolve) => setTimeout(resolve, everyMs));
    }
  })();
  return {
    async stop() {
      running = false;
      await loop.finally(() => client.end());
      const total = [...counts.values()].reduce((a, b) => a + b, 0);
      const top = [...counts]
        .sort((a, b) => b[1] - a[1])
        .slice(0, 5)
        .map(([wait, n]) => `${wait} ${((100 * n) / Math.max(total, 1)).toFixed(0)} %`);
      return `PostgreSQL's active backends: ${(total / Math.max(samples, 1)).toFixed(2)} on average; ${top.join(', ') || 'none'}`;
    },
  };
}
