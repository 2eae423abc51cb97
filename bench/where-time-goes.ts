/**
 * Where a benchmark's time goes on PostgreSQL: statements and round trips sent by this process (counted on the
 * `pg` client, so a statement of a named prepared query counts once, as it travels), and CPU of this process and of
 * the PostgreSQL server processes serving the benchmark's database (read from /proc; Linux only).
 */
import { readFileSync } from 'node:fs';
import pg from 'pg';
import { CLK_TCK, procStat } from './proc.ts';

export interface StatementCounts {
  total: number;
  byKind: Map<string, number>;
  /** With BENCH_STATEMENTS=1: each statement's opening words and how often it was sent. */
  texts: Map<string, number>;
}

/** Counts every query a `pg` client of this process sends from now on; `stop()` restores the client. */
export function countStatements(): { counts: StatementCounts; reset(): void; stop(): void } {
  const proto = pg.Client.prototype as unknown as { query: (...args: unknown[]) => unknown };
  const original = proto.query;
  const counts: StatementCounts = { total: 0, byKind: new Map(), texts: new Map() };
  proto.query = function (this: unknown, ...args: unknown[]) {
    const first = args[0];
    const text = typeof first === 'string' ? first : ((first as { text?: string } | null)?.text ?? '');
    const kind = /^\s*(\w+)/.exec(text)?.[1]?.toLowerCase() ?? '?';
    counts.total++;
    counts.byKind.set(kind, (counts.byKind.get(kind) ?? 0) + 1);
    if (process.env.BENCH_STATEMENTS) {
      const key = text.replace(/\s+/g, ' ').slice(0, 160);
      counts.texts.set(key, (counts.texts.get(key) ?? 0) + 1);
    }
    return original.apply(this, args);
  };
  return {
    counts,
    reset() {
      counts.total = 0;
      counts.byKind.clear();
      counts.texts.clear();
    },
    stop() {
      proto.query = original;
    },
  };
}

/** CPU seconds (user + system) of the given processes, from /proc; a process that ended counts 0. */
function cpuSeconds(pids: readonly number[]): number {
  return statSeconds(pids.map((pid) => `/proc/${pid}/stat`));
}

/** CPU seconds (user + system) read from the given /proc stat files; one that is gone counts 0. */
function statSeconds(paths: readonly string[]): number {
  return paths.reduce((ticks, path) => ticks + (procStat(path)?.ticks ?? 0), 0) / CLK_TCK;
}

/** The PostgreSQL backends connected to `url`'s database (the benchmark's pool, once warmed up). */
export async function backendsOf(url: string): Promise<number[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    const { rows } = await client.query<{ pid: number }>(
      'select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()',
    );
    return rows.map((r) => r.pid);
  } finally {
    await client.end();
  }
}

/** A CPU meter for the server backends: `read()` gives seconds used since it started. */
export function serverCpu(pids: readonly number[]) {
  const start = cpuSeconds(pids);
  return { read: () => cpuSeconds(pids) - start };
}

/**
 * A CPU meter for this process's main thread alone (its event loop: the server under test), leaving out worker
 * threads and helper threads; null off Linux.
 */
export function mainThreadCpu(): { read(): number } | null {
  const path = `/proc/${process.pid}/task/${process.pid}/stat`;
  try {
    readFileSync(path);
  } catch {
    return null;
  }
  const start = statSeconds([path]);
  return { read: () => statSeconds([path]) - start };
}

export function describeStatements(counts: StatementCounts, per: number): string {
  const kinds = [...counts.byKind.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([k, n]) => `${k} ${(n / per).toFixed(2)}`)
    .join(', ');
  const texts = [...counts.texts.entries()]
    .sort((a, b) => b[1] - a[1])
    .map(([t, n]) => `\n    ${(n / per).toFixed(2)} × ${t}`)
    .join('');
  return `${(counts.total / per).toFixed(2)} statements (round trips) per mail: ${kinds}${texts}`;
}
