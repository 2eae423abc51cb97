/**
 * Where the CPU goes during a phase of `bench/several-instances.ts`, read from /proc (Linux): the `parley serve`
 * processes (their HTTP thread apart from the rest: dispatcher thread, libuv's and V8's helpers), nginx (master and
 * workers), PostgreSQL (all its processes, the ended ones too), and the benchmark itself (its load worker and SMTP
 * sink). The server's other databases count too: nothing else should run meanwhile.
 */
import { readdirSync } from 'node:fs';
import { CLK_TCK, childrenOf, commOf, procStat } from '../proc.ts';

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
  return {
    perMessage(messages: number): string {
      const end = read(groups);
      const ms = (key: keyof Reading) => (((end[key] - start[key]) / CLK_TCK) * 1000) / messages;
      const parts = [
        `serve HTTP ${ms('http').toFixed(2)}`,
        `serve other threads ${ms('serveOther').toFixed(2)}`,
        ...(groups.nginx === undefined ? [] : [`nginx ${ms('nginx').toFixed(2)}`]),
        `PostgreSQL ${ms('postgres').toFixed(2)}`,
        `benchmark ${ms('bench').toFixed(2)}`,
      ];
      const total = (Object.keys(end) as (keyof Reading)[]).reduce((sum, key) => sum + ms(key), 0);
      return `CPU ms per message: ${parts.join(', ')}; in all ${total.toFixed(2)}`;
    },
  };
}
