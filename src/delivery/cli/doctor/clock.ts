import type { Parley } from '../../../main.ts';
import type { Clock } from '../../../ports/clock.ts';
import { failed, passed, reason, type CheckResult } from './check.ts';

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
