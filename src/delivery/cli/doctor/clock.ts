import type { Parley } from '../../../main.ts';
import type { Clock } from '../../../ports/clock.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

/**
 * How far one machine's clock may be from the database server's: leases are written and judged on each machine's
 * clock, and a standby takes over a live dispatcher's renewed claim when its clock runs two thirds of the lease ahead
 * of that dispatcher's. Two machines each within a sixth of the lease of the server's are within a third of it of
 * each other (3.3 s at the default 10 s), half of that margin.
 */
export function maxSkewFor(leaseSeconds: number): number {
  return Math.round((leaseSeconds / 6) * 10) / 10;
}

/**
 * This machine's clock against the database server's: leases, retry times and sign-in limits are compared across
 * processes, so clocks apart by more than `maxSkewSeconds` make mail wait or be taken over early.
 */
export async function checkClock(
  parley: Pick<Parley, 'storage'>,
  clock: Clock,
  maxSkewSeconds: number,
): Promise<CheckResult> {
  let server: Date;
  const before = clock.now().getTime();
  try {
    server = await parley.storage.databaseTime();
  } catch (error) {
    return failed('clock', `the database server's clock cannot be read (${reason(error)}).`);
  }
  // Compared with the middle of the round trip, so a slow answer is not counted as skew.
  const here = (before + clock.now().getTime()) / 2;
  const skew = (here - server.getTime()) / 1000;
  const apart = `${Math.abs(skew).toFixed(1)} s ${skew >= 0 ? 'ahead of' : 'behind'} the database server's`;
  if (Math.abs(skew) > maxSkewSeconds)
    return failed('clock', `this machine's clock is ${apart} (at most ${maxSkewSeconds} s): synchronise both (NTP).`);
  return passed('clock', `within ${maxSkewSeconds} s of the database server's (${apart}).`);
}
