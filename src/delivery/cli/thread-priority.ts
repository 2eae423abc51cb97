import { existsSync, readdirSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the CPU priority of a dispatcher beside `parley serve` by `steps` nice levels (at most to 19), so serve's
 * HTTP thread goes first whenever both want a core: a batch of mail waits a moment rather than a person's request
 * (BENCHMARKS.md, several instances, session 17). On Linux nice belongs to each thread: `thread` lowers the calling
 * thread alone (serve's dispatcher thread), `process` every thread of this process (serve's dispatcher child: its
 * thread pool and V8's helpers too; threads started later take their creator's). On other systems a thread's
 * setpriority would lower the whole process, HTTP included, so nothing changes there. Returns the calling thread's
 * nice value after the change, or null when nothing changed.
 */
export function lowerPriority(
  steps: number,
  scope: 'thread' | 'process',
  platform: NodeJS.Platform = process.platform,
): number | null {
  if (steps <= 0 || platform !== 'linux') return null;
  const threads = scope === 'thread' ? [0] : readdirSync('/proc/self/task').map(Number);
  for (const tid of threads) {
    try {
      setPriority(tid, Math.min(19, getPriority(tid) + steps));
    } catch (error) {
      if (tid === 0 || existsSync(`/proc/self/task/${tid}`)) throw error; // else it ended meanwhile
    }
  }
  return getPriority(0);
}

/**
 * Starts libuv's thread pool (the fs, dns and crypto work of every thread of the process) from the calling thread, if
 * nothing started it yet: a thread takes the nice value of the thread that creates it, and the pool is created by the
 * first thread that hands it work. Node 20's module loader has started it before serve's code runs; `serve` calls
 * this before it starts its dispatcher thread all the same, so the pool its requests use (password hashing among
 * them) cannot be created by the lowered thread whatever loads serve.
 */
export async function startThreadPool(): Promise<void> {
  await stat('.');
}
