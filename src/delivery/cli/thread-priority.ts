import { getPriority, setPriority } from 'node:os';

/**
 * Lowers the CPU priority of the calling thread alone by `steps` nice levels (at most to 19): a dispatcher beside
 * `parley serve` then lets serve's HTTP thread go first whenever both want a core, so a batch of mail waits a moment
 * rather than a person's request (BENCHMARKS.md, several instances). On Linux nice belongs to each thread and
 * setpriority(PRIO_PROCESS, 0) changes the caller's; on other systems it would lower the whole process, HTTP
 * included, so nothing changes there. Returns the thread's nice value after the change, or null when nothing changed.
 */
export function lowerThreadPriority(steps: number, platform: NodeJS.Platform = process.platform): number | null {
  if (steps <= 0 || platform !== 'linux') return null;
  const nice = Math.min(19, getPriority(0) + steps);
  setPriority(0, nice);
  return nice;
}
