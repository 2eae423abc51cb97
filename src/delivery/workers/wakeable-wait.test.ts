import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WakeableWait } from './wakeable-wait.ts';

/** Timers this process has pending. */
const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;

describe('a dispatcher’s wait between looks', () => {
  it(
    'ends by its timer, or at once when woken; a wake with nobody waiting is not kept for the next wait',
    { timeout: 5000 },
    async () => {
      const waits = new WakeableWait();
      assert.equal(await waits.wait(5), true, 'the timer ran out');

      const before = timers();
      const woken = waits.wait(60_000);
      assert.equal(timers(), before + 1);
      waits.wake();
      assert.equal(await woken, false, 'woken before its timer');
      assert.equal(timers(), before, 'its timer is cleared');

      waits.wake(); // nobody waits: nothing happens, and the next wait runs its time
      const late = waits.wait(5);
      let settled = false;
      void late.then(() => (settled = true));
      await new Promise((resolve) => setImmediate(resolve));
      assert.equal(settled, false, 'a wake before the wait did not end it');
      assert.equal(await late, true);
    },
  );
});
