// @ts-check
/**
 * The HTTP load of the benchmarks: autocannon in a worker thread, so that its own work never shares an event loop
 * with a server under test. Plain JavaScript because tsx's loader does not reach worker threads on Node 20.
 *
 * workerData: { url, paths, headers, body, connections, timeout, and either duration (seconds) or amount (requests) }
 * Each connection posts again as soon as answered (a closed load); an offered load is `open-loop-worker.mjs`'s.
 * Posts { type: 'start', atNs } just before the first request, then { type: 'result', result, endNs } with the
 * aggregated autocannon result; endNs is when the last response arrived.
 */
import { parentPort, workerData } from 'node:worker_threads';
import autocannon from 'autocannon';

const { url, paths, headers, body, connections, duration, amount, timeout } = workerData;

/** One static request per ticket: the buffers are encoded once, nothing is rebuilt per request. */
const requests = paths.map((/** @type {string} */ path) => ({ method: 'POST', path, headers, body }));
const setupClient = { next: 0 };
/** When the last response came in (autocannon itself may resolve up to a sampling tick later). */
let lastResponseNs = 0n;

const opts = {
  url,
  connections,
  ...(amount ? { amount } : { duration }),
  timeout,
  pipelining: 1,
  requests,
  // Each connection walks the tickets from its own starting point, so concurrent requests hit different tickets.
  setupClient(/** @type {any} */ client) {
    const start = (setupClient.next++ * 7) % requests.length;
    client.setRequests([...requests.slice(start), ...requests.slice(0, start)].map((r) => ({ ...r })));
    client.on('response', () => {
      lastResponseNs = process.hrtime.bigint();
    });
  },
};

parentPort?.postMessage({ type: 'start', atNs: process.hrtime.bigint().toString() });
const raw = await autocannon(opts);
const endNs = (lastResponseNs || process.hrtime.bigint()).toString();
// Off the main thread autocannon hands back the raw (encoded) result; aggregate it as the main thread would.
const result = raw.latency ? raw : autocannon.aggregateResult([raw], { url, connections, duration: duration ?? 1 });
parentPort?.postMessage({ type: 'result', endNs, result: JSON.parse(JSON.stringify(result)) });
