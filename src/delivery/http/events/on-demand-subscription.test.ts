import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { OnDemandSubscription } from './on-demand-subscription.ts';

/** A subscription that counts its starts and ends; `fail` makes the next start fail. */
function source() {
  const s = { starts: 0, ends: 0, fail: false };
  const subscribe = async () => {
    if (s.fail) {
      s.fail = false;
      throw new Error('the listening connection could not be opened');
    }
    s.starts++;
    return async () => {
      s.ends++;
    };
  };
  return { s, subscribe };
}

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));
const noError = (error: unknown) => assert.fail(`unexpected: ${String(error)}`);

describe('OnDemandSubscription', () => {
  it('subscribes at the first hold only, and not before anyone holds it', async () => {
    const { s, subscribe } = source();
    const sub = new OnDemandSubscription(subscribe, 20, noError);
    assert.equal(sub.subscribed, false);
    assert.equal(s.starts, 0);
    await Promise.all([sub.hold(), sub.hold()]);
    await sub.hold();
    assert.equal(s.starts, 1);
    assert.equal(sub.subscribed, true);
    await sub.close();
  });

  it('ends the subscription a linger after the last holder left, not while one still holds it', async () => {
    const { s, subscribe } = source();
    const sub = new OnDemandSubscription(subscribe, 20, noError);
    await sub.hold();
    await sub.hold();
    sub.release();
    await wait(60);
    assert.equal(s.ends, 0, 'one holder is left');
    sub.release();
    assert.equal(s.ends, 0, 'not at once: a page reloading comes back within the linger');
    await wait(60);
    assert.equal(s.ends, 1);
    assert.equal(sub.subscribed, false);
    await sub.hold();
    assert.equal(s.starts, 2, 'held again after it ended: subscribed again');
    await sub.close();
    assert.equal(s.ends, 2);
  });

  it('keeps the subscription when it is held again within the linger', async () => {
    const { s, subscribe } = source();
    const sub = new OnDemandSubscription(subscribe, 30, noError);
    await sub.hold();
    sub.release();
    await sub.hold(); // at once: well within the linger
    await wait(60);
    assert.deepEqual([s.starts, s.ends], [1, 0]);
    await sub.close();
  });

  it('passes a failed subscription to the holder and tries again at the next hold', async () => {
    const { s, subscribe } = source();
    const sub = new OnDemandSubscription(subscribe, 20, noError);
    s.fail = true;
    await assert.rejects(sub.hold(), /could not be opened/);
    assert.equal(sub.subscribed, false);
    await sub.hold();
    assert.equal(s.starts, 1);
    sub.release();
    await wait(60);
    assert.equal(s.ends, 1, 'the failed hold did not count as a holder');
    await sub.close();
  });

  it('refuses holds once closed, and ends what was held', async () => {
    const { s, subscribe } = source();
    const sub = new OnDemandSubscription(subscribe, 1000, noError);
    await sub.hold();
    await sub.close();
    assert.equal(s.ends, 1);
    await assert.rejects(sub.hold(), /closed/);
    sub.release(); // the holder leaving after the close changes nothing
    assert.equal(s.ends, 1);
  });

  it('reports an unsubscription that failed after the linger', async () => {
    const errors: unknown[] = [];
    const sub = new OnDemandSubscription(
      async () => async () => {
        throw new Error('UNLISTEN failed');
      },
      10,
      (error) => errors.push(error),
    );
    await sub.hold();
    sub.release();
    await wait(50);
    assert.equal(errors.length, 1);
    assert.equal(sub.subscribed, false);
  });
});
