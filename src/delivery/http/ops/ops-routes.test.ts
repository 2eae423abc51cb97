import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type * as PerfHooks from 'node:perf_hooks';
import { describe, it } from 'node:test';
import { EVENT_LOOP_SAMPLE_MS, createMetrics } from './ops-routes.ts';

// prom-client reaches perf_hooks through require: the same object is seen here.
const perfHooks = createRequire(import.meta.url)('node:perf_hooks') as typeof PerfHooks;

describe('process metrics', () => {
  it('report the event-loop lag, sampled every 100 ms rather than waking the process every 10 ms', async () => {
    const original = perfHooks.monitorEventLoopDelay;
    const resolutions: (number | undefined)[] = [];
    perfHooks.monitorEventLoopDelay = (options) => {
      resolutions.push(options?.resolution);
      return original(options);
    };
    try {
      const metrics = createMetrics({ processMetrics: true });
      assert.deepEqual(resolutions, [EVENT_LOOP_SAMPLE_MS]);
      assert.equal(EVENT_LOOP_SAMPLE_MS, 100);
      const text = await metrics.registry.metrics();
      for (const name of [
        'parley_nodejs_eventloop_lag_p99_seconds',
        'parley_process_cpu_seconds_total',
        'parley_process_resident_memory_bytes',
      ])
        assert.match(text, new RegExp(`^${name} `, 'm'), name);
      metrics.registry.clear();
    } finally {
      perfHooks.monitorEventLoopDelay = original;
    }
  });

  it('are left out when not asked for (tests, tools)', async () => {
    const metrics = createMetrics({ processMetrics: false });
    assert.doesNotMatch(await metrics.registry.metrics(), /parley_nodejs_eventloop_lag/);
  });
});
