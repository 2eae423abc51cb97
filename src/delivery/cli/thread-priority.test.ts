/**
 * lowerThreadPriority in a worker thread, as serve's dispatcher thread calls it: on Linux that thread's nice value
 * rises and the thread that started it keeps its own; elsewhere, and with 0 steps, nothing changes.
 */
import assert from 'node:assert/strict';
import { getPriority } from 'node:os';
import { describe, it } from 'node:test';
import { Worker } from 'node:worker_threads';
import { lowerThreadPriority } from './thread-priority.ts';

/** Runs lowerThreadPriority(steps, platform) in a new thread; resolves with what it returned and its nice after. */
function inThread(steps: number, platform: string): Promise<{ returned: number | null; after: number }> {
  const module = JSON.stringify(new URL('./thread-priority.ts', import.meta.url).href);
  const code = `
    const { parentPort, workerData } = require('node:worker_threads');
    const { getPriority } = require('node:os');
    import(${JSON.stringify(import.meta.resolve('tsx/esm/api'))})
      .then((tsx) => { tsx.register(); return import(${module}); })
      .then(({ lowerThreadPriority }) => {
        const returned = lowerThreadPriority(workerData.steps, workerData.platform);
        parentPort.postMessage({ returned, after: getPriority(0) });
      });`;
  return new Promise((resolve, reject) => {
    const worker = new Worker(code, { eval: true, workerData: { steps, platform } });
    worker.once('message', (m) => {
      resolve(m);
      void worker.terminate();
    });
    worker.once('error', reject);
  });
}

describe('lowerThreadPriority', { skip: process.platform !== 'linux' && 'nice is per thread on Linux alone' }, () => {
  it('lowers the calling thread alone, by the steps asked, at most to 19', async () => {
    const mine = getPriority(0);
    const three = await inThread(3, 'linux');
    assert.equal(three.returned, Math.min(19, mine + 3));
    assert.equal(three.after, Math.min(19, mine + 3), 'the worker thread is lowered');
    assert.equal(getPriority(0), mine, 'the thread that started it is not');
    const all = await inThread(40, 'linux');
    assert.equal(all.after, 19);
  });

  it('changes nothing with 0 steps, or where nice would apply to the whole process', async () => {
    const mine = getPriority(0);
    assert.deepEqual(await inThread(0, 'linux'), { returned: null, after: mine });
    assert.deepEqual(await inThread(10, 'darwin'), { returned: null, after: mine });
    assert.equal(lowerThreadPriority(10, 'win32'), null);
    assert.equal(getPriority(0), mine);
  });
});
