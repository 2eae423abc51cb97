import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { WakeableWait } from './wakeable-wait.ts';

describe('a dispatcher’s wait between looks', () => {
  it('ends by its timer, or at once when woken; a wake with nobody waiting is not kept for the next wait', async () => {
    const waits = new WakeableWait();
    assert.equal(await waits.wait(5), true, 'the timer ran out');

    const woken = waits.wait(60_000);
    waits.wake();
    assert.equal(await woken, false, 'woken before its timer');

    waits.wake(); // nobody waits: nothing happens, and the next wait runs its time
    const late = waits.wait(5);
    let settled = false;
    void late.then(() => (settled = true));
    await new Promise((resolve) => setImmediate(resolve));
    assert.equal(settled, false, 'a wake before the wait did not end it');
    assert.equal(await late, true);
  });
});
