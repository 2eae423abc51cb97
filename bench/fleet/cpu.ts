/**
 * Where the CPU goes during a phase of `bench/several-instances.ts`, read from /proc (Linux): the `parley serve`
 * processes (their HTTP thread apart from the rest: dispatcher thread, libuv's and V8's helpers), nginx (master and
 * workers), PostgreSQL (all its processes, the ended ones too), and the benchmark itself (its load worker and SMTP
 * sink). The server's other databases count too: nothing else should run meanwhile. Beside it, how long each group's
 * threads waited for a core while ready to run (since session 26): on a machine kept partly busy, that wait is where a
 * request's tail goes.
 */
import { readdirSync } from 'node:fs';
import { CLK_TCK, childrenOf, commOf, procStat, runQueueNs } from '../proc.ts';

/** utime + stime of one /proc stat file, in ticks; 0 when it is gone. */
const ticksOf = (path: string) => procStat(path)?.ticks ?? 0;

/** Every process whose command name is `comm` (PostgreSQL's server processes all say "postgres"). */
function processesNamed(comm: string): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number)
    .filter((pid) => commOf(pid) === comm);
}

/**
 * PostgreSQL's CPU: its live processes', plus what its ended backends used (a pool closes idle connections during a
 * phase), which the kernel adds to the postmaster's children's time (cutime, cstime) once it reaps them.
 */
function postgresTicks(): number {
  let ticks = 0;
  for (const pid of processesNamed('postgres')) {
    const stat = procStat(`/proc/${pid}/stat`);
    if (!stat) continue; // gone
    ticks += stat.ticks;
    if (commOf(stat.ppid) !== 'postgres') ticks += stat.childTicks; // the postmaster
  }
  return ticks;
}

export interface CpuGroups {
  /** The `parley serve` processes. */
  serve: readonly number[];
  /** nginx's master process, when there is a proxy (its workers are found below it). */
  nginx?: number;
}

type Reading = Record<'http' | 'serveOther' | 'nginx' | 'postgres' | 'bench', number>;

type Group = keyof Reading;

const nothing = (): Reading => ({ http: 0, serveOther: 0, nginx: 0, postgres: 0, bench: 0 });

/**
 * How long each thread waited for a core while ready to run, in ns (`runQueueNs`), by group and thread id. Threads
 * that ended during a phase (an idle connection's backend, an autovacuum worker) are left out of it.
 */
function waits(groups: CpuGroups): Map<number, { group: Group; ns: number }> {
  const threads = new Map<number, { group: Group; ns: number }>();
  const add = (group: Group, pid: number, tid?: number) => {
    for (const [t, ns] of runQueueNs(pid, tid)) threads.set(t, { group, ns });
  };
  for (const pid of groups.serve) {
    add('serveOther', pid);
    add('http', pid, pid); // the main thread, moved to its own group
  }
  if (groups.nginx !== undefined) for (const pid of [groups.nginx, ...childrenOf(groups.nginx)]) add('nginx', pid);
  for (const pid of processesNamed('postgres')) add('postgres', pid);
  add('bench', process.pid);
  return threads;
}

/**
 * Each group's wait between two readings: for each thread alive at the end, its wait since the first reading (or
 * since it started, when it is new).
 */
function waited(start: ReturnType<typeof waits>, end: ReturnType<typeof waits>): Reading {
  const sums = nothing();
  for (const [tid, { group, ns }] of end) sums[group] += ns - (start.get(tid)?.ns ?? 0);
  return sums;
}

function read(groups: CpuGroups): Reading {
  const http = groups.serve.reduce((sum, pid) => sum + ticksOf(`/proc/${pid}/task/${pid}/stat`), 0);
  const serve = groups.serve.reduce((sum, pid) => sum + ticksOf(`/proc/${pid}/stat`), 0);
  const nginx = groups.nginx === undefined ? [] : [groups.nginx, ...childrenOf(groups.nginx)];
  return {
    http,
    serveOther: serve - http,
    nginx: nginx.reduce((sum, pid) => sum + ticksOf(`/proc/${pid}/stat`), 0),
    postgres: postgresTicks(),
    bench: ticksOf(`/proc/${process.pid}/stat`),
  };
}

/** Starts a meter; `perMessage(n)` gives each group's CPU in ms per message over the `n` messages of the phase. */
export function cpuMeter(groups: CpuGroups) {
  const start = read(groups);
  const startWaits = waits(groups);
  /** Each group's share in ms per message, and the sum. */
  const line = (begin: Reading, end: Reading, msOf: (delta: number) => number) => {
    const ms = (key: keyof Reading) => msOf(end[key] - begin[key]);
    const parts = [
      `serve HTTP ${ms('http').toFixed(2)}`,
      `serve other threads ${ms('serveOther').toFixed(2)}`,
      ...(groups.nginx === undefined ? [] : [`nginx ${ms('nginx').toFixed(2)}`]),
      `PostgreSQL ${ms('postgres').toFixed(2)}`,
      `benchmark ${ms('bench').toFixed(2)}`,
    ];
    const total = (Object.keys(end) as (keyof Reading)[]).reduce((sum, key) => sum + ms(key), 0);
    return `${parts.join(', ')}; in all ${total.toFixed(2)}`;
  };
  return {
    perMessage(messages: number): string {
      const cpu = line(start, read(groups), (ticks) => ((ticks / CLK_TCK) * 1000) / messages);
      const queued = line(nothing(), waited(startWaits, waits(groups)), (ns) => ns / 1e6 / messages);
      return `CPU ms per message: ${cpu}\n      waiting for a core, ms per message: ${queued}`;
    },
  };
}
