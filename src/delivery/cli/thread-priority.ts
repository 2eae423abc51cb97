import { existsSync, readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';

/** What lowerPriority did: the calling thread's nice value after, and how many threads it lowered or could not. */
export interface Lowered {
  nice: number;
  lowered: number;
  failed: { tid: number; error: Error }[];
}

/**
 * Lowers the CPU priority of a dispatcher beside `parley serve` by `steps` nice levels (at most to 19), so serve's
 * HTTP thread goes first whenever both want a core: a batch of mail waits a moment rather than a person's request
 * (BENCHMARKS.md, several instances, session 17). On Linux nice belongs to each thread, and a new thread takes its
 * creator's: `thread` lowers the calling thread alone (serve's dispatcher thread), `process` every thread of this
 * process (serve's dispatcher child: its thread pool and V8's helpers too), looking again for threads started
 * meanwhile. Serve's own thread pool is never lowered with its dispatcher thread: Node's module loader has it started
 * by the main thread before any of serve's code runs (a thread takes the nice value of the thread that creates it;
 * test/integration/serve-dispatcher.test.ts checks that one thread of serve alone is lowered). On other systems a thread's setpriority would lower the whole process, HTTP included, so nothing changes
 * there. Returns null when nothing was to change; a thread that could not be lowered is counted, the others still are.
 */
export function lowerPriority(
  steps: number,
  scope: 'thread' | 'process',
  platform: NodeJS.Platform = process.platform,
): Lowered | null {
  if (steps <= 0 || platform !== 'linux') return null;
  const result: Lowered = { nice: 0, lowered: 0, failed: [] };
  const seen = new Set<number>();
  const lower = (tid: number) => {
    seen.add(tid);
    try {
      setPriority(tid, Math.min(19, getPriority(tid) + steps));
      result.lowered++;
    } catch (error) {
      // A thread that ended meanwhile has nothing left to lower.
      if (tid === 0 || existsSync(`/proc/self/task/${tid}`)) result.failed.push({ tid, error: error as Error });
    }
  };
  if (scope === 'thread') lower(0);
  else {
    // A thread not yet lowered may have started another while the first pass went on: a few passes find it.
    for (let pass = 0; pass < 3; pass++) {
      let fresh: number[];
      try {
        fresh = readdirSync('/proc/self/task')
          .map(Number)
          .filter((tid) => !seen.has(tid));
      } catch (error) {
        result.failed.push({ tid: 0, error: error as Error }); // no /proc: nothing known to lower
        break;
      }
      if (fresh.length === 0) break;
      for (const tid of fresh) lower(tid);
    }
  }
  result.nice = getPriority(0);
  return result;
}
