/**
 * lowerPriority as a dispatcher beside serve calls it, in threads of this process: on Linux `thread` raises the calling
 * thread's nice value and no other's, `process` every thread's; elsewhere, and with 0 steps, nothing changes.
 */
import assert from 'node:assert/strict';
import { readdirSync } from 'node:fs';
import { getPriority, setPriority } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { lowerPriority } from './thread-priority.ts';

/** Runs lowerPriority(steps, scope, platform) in a new thread; resolves with the nice it returned and its nice after. */
function inThread(steps: number, scope: string, platform: string): Promise<{ returned: number | null; after: number }> {
  const module = JSON.stringify(new URL('./thread-priority.ts', import.meta.url).href);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${module}); })
      .then(({ lowerPriority }) => {
        const done = lowerPriority(workerData.steps, workerData.scope, workerData.platform);
        parentPort.postMessage({ returned: done && done.nice, after: getPriority(0) });
      });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { steps, scope, platform } });
    let said: { returned: number | null; after: number } | undefined;
    worker.once('message', (m) => {
      said = m;
      void worker.terminate();
    });
    worker.once('error', reject);
    worker.once('exit', () => (said ? resolve(said) : reject(new Error('the thread said nothing'))));
  });
}

/** Each thread's nice value, by thread id; a thread that ended between the listing and the reading is left out. */
function nices(): Map<number, number> {
  const found = new Map<number, number>();
  for (const tid of readdirSync('/proc/self/task').map(Number)) {
    try {
      found.set(tid, getPriority(tid));
    } catch {
      // ended meanwhile
    }
  }
  return found;
}

describe('lowerPriority', { skip: process.platform !== 'linux' && 'nice is per thread on Linux alone' }, () => {
  it('thread: lowers the calling thread alone, by the steps asked, at most to 19', async () => {
    const mine = getPriority(0);
    const before = nices();
    const three = await inThread(3, 'thread', 'linux');
    assert.equal(three.returned, Math.min(19, mine + 3));
    assert.equal(three.after, Math.min(19, mine + 3), 'the worker thread is lowered');
    assert.equal(getPriority(0), mine, 'the thread that started it is not');
    assert.deepEqual(nices(), before, 'nor any other thread of the process');
    assert.equal((await inThread(40, 'thread', 'linux')).after, 19);
  });

  it('process: lowers every thread of the process', async () => {
    // This file's process alone (node's test runner runs each file in its own): lowering it changes no other test.
    const was = nices();
    try {
      const done = lowerPriority(2, 'process', 'linux');
      assert.deepEqual(done, { nice: Math.min(19, was.get(process.pid)! + 2), lowered: was.size, failed: [] });
      for (const [tid, nice] of nices()) assert.equal(nice, Math.min(19, was.get(tid)! + 2), `thread ${tid}`);
    } finally {
      // Raising a nice value back needs CAP_SYS_NICE: as root (the test machine), the rest of the run is unchanged.
      for (const [tid, value] of was) {
        try {
          setPriority(tid, value);
        } catch {
          // not permitted: this test file's process simply ends lower
        }
      }
    }
  });

  it('changes nothing with 0 steps, or where nice would apply to the whole process', async () => {
    const mine = getPriority(0);
    assert.deepEqual(await inThread(0, 'thread', 'linux'), { returned: null, after: mine });
    assert.deepEqual(await inThread(10, 'thread', 'darwin'), { returned: null, after: mine });
    assert.equal(lowerPriority(10, 'process', 'win32'), null);
    assert.equal(getPriority(0), mine);
  });
});
