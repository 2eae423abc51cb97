// @ts-check
/**
 * The load generator of `bench/messages-accepted.ts`, run in a worker thread so that autocannon's own work never
 * shares an event loop (or a core) with the server under test. Plain JavaScript because tsx's loader does not reach
 * worker threads on Node 20.
 *
 * workerData: { url, paths, headers, body, connections, duration, timeout }
 * Posts back the aggregated autocannon result (the same shape autocannon returns on the main thread).
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const { url, paths, headers, body, connections, duration, timeout } = workerData;

/** One static request per ticket: the buffers are encoded once, nothing is rebuilt per request. */
const requests = paths.map((/** @type {string} */ path) => ({ method: 'POST', path, headers, body }));

const opts = {
  url,
  connections,
  duration,
  timeout,
  pipelining: 1,
  requests,
  // Each connection walks the tickets from its own starting point, so concurrent requests hit different tickets.
  setupClient(/** @type {any} */ client) {
    const start = (setupClient.next++ * 7) % requests.length;
    client.setRequests([...requests.slice(start), ...requests.slice(0, start)].map((r) => ({ ...r })));
  },
};
const setupClient = { next: 0 };

// Off the main thread autocannon hands back the raw (encoded) result; aggregate it as the main thread would.
const raw = await autocannon(opts);
const result = raw.latency ? raw : autocannon.aggregateResult([raw], { url, connections, duration });
parentPort?.postMessage(JSON.parse(JSON.stringify(result)));
