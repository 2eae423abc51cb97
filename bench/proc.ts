/**
 * What the benchmarks read of Linux's /proc: a process's or thread's CPU time and parent, its children, its command
 * name. Each reading is of that moment; a process that is gone reads as undefined (or empty).
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks a second of /proc's CPU times (USER_HZ: 100 on Linux, asked of getconf in case). */
export const CLK_TCK = (() => {
  try {
    return Number(execFileSync('getconf', ['CLK_TCK'], { encoding: 'utf8' }).trim()) || 100;
  } catch {
    return 100;
  }
})();

export interface ProcStat {
  ppid: number;
  /** utime + stime, in ticks. */
  ticks: number;
  /** cutime + cstime: what its ended children used, once it has reaped them. */
  childTicks: number;
}

/** A `/proc/<pid>/stat` or `/proc/<pid>/task/<tid>/stat` file, or undefined when it is gone. */
export function procStat(path: string): ProcStat | undefined {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    return undefined;
  }
  // The fields after the command name in parentheses: state (3rd), ppid (4th) … utime (14th), stime, cutime, cstime.
  const f = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { ppid: Number(f[1]), ticks: Number(f[11]) + Number(f[12]), childTicks: Number(f[13]) + Number(f[14]) };
}

/** A process's direct children. */
export function childrenOf(pid: number): number[] {
  try {
    return readFileSync(`/proc/${pid}/task/${pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
  } catch {
    return [];
  }
}

/** A process's command name ("postgres", "nginx", "node"), '' when it is gone. */
export function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '';
  }
}

/**
 * How long each thread of a process (or one thread, with `tid`) has waited for a core while ready to run, in ns, by
 * thread id: the second field of its `/proc/<pid>/task/<tid>/schedstat` (needs schedstats, on by default). Empty
 * when the process is gone; a thread that ended is not in it.
 */
export function runQueueNs(pid: number, tid?: number): Map<number, number> {
  const waits = new Map<number, number>();
  let tids: string[];
  try {
    tids = tid === undefined ? readdirSync(`/proc/${pid}/task`) : [String(tid)];
  } catch {
    return waits;
  }
  for (const t of tids) {
    try {
      waits.set(Number(t), Number(readFileSync(`/proc/${pid}/task/${t}/schedstat`, 'utf8').split(' ')[1]) || 0);
    } catch {
      // gone
    }
  }
  return waits;
}
