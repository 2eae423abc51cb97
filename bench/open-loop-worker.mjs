// @ts-check
/**
 * An offered load for the benchmarks: requests sent at random (Poisson) times, `rate` a second on average, whether or
 * not earlier ones were answered, as independent people using a desk send them. autocannon cannot do this: its rate
 * lets each connection send its share of a second back to back, then pause until the next second, so its "rate" is a
 * burst every second at full concurrency.
 *
 * Each request's latency counts from when it was due, not from when it went out: a client (or a server) late to send
 * it does not hide the wait (no coordinated omission). The schedule comes from `seed`, so set-ups compared in one run
 * see the very same arrivals. Runs in a worker thread, plain JavaScript (tsx's loader does not reach worker threads on
 * Node 20).
 *
 * workerData: { url, paths, headers, body, rate, amount, seed, timeout (seconds) }
 * Posts { type: 'start', atNs } at the first due time, then { type: 'result', result, endNs }: result has the counts
 * `2xx`, `non2xx`, `errors`, and per request, in milliseconds, its `latencies` and its `lateness` (how late it went
 * out: the sender's own lag, part of its latency); the caller takes the percentiles.
 */
import { Agent, request } from 'node:http';
import { parentPort, workerData } from 'node:worker_threads';

const { url, paths, headers, body, rate, amount, seed, timeout } = workerData;
const target = new URL(url);
const payload = Buffer.from(body);
// Enough sockets that a request waits for one only behind a stall (its wait still counts, from its due time), few
// enough to stay below a proxy's connection limit (the test's nginx: 512, two per request).
const agent = new Agent({ keepAlive: true, maxSockets: 128 });

/** xorshift32: the same `seed` gives the same arrivals. */
function random(state) {
  let x = state.x;
  x ^= x << 13;
  x ^= x >>> 17;
  x ^= x << 5;
  state.x = x >>> 0;
  return (state.x + 1) / 4294967297; // in (0, 1)
}

/** The due times, in ns from the start: exponential gaps of mean 1/rate. */
function schedule() {
  // A small seed is mixed first, or its first draws would be tiny (and the first gap long).
  const state = { x: Math.imul(seed, 0x9e3779b1) >>> 0 || 1 };
  for (let i = 0; i < 8; i++) random(state);
  const due = new Float64Array(amount);
  let at = 0;
  for (let i = 0; i < amount; i++) {
    due[i] = at;
    at += (-Math.log(random(state)) / rate) * 1e9;
  }
  return due;
}

const due = schedule();
const latencies = new Float64Array(amount);
const counts = { '2xx': 0, non2xx: 0, errors: 0 };
let lastResponseNs = 0n;
let answered = 0;
let sent = 0;
let startNs = 0n;

/** How late each request went out after it was due, in ms: the sender's own lag, reported beside the latencies. */
const lateness = new Float64Array(amount);

function send(i) {
  const dueNs = startNs + BigInt(Math.round(due[i]));
  lateness[i] = Number(process.hrtime.bigint() - dueNs) / 1e6;
  let settled = false;
  const done = (ok, status) => {
    if (settled) return; // a timeout after the headers errors both the request and the response
    settled = true;
    lastResponseNs = process.hrtime.bigint();
    latencies[i] = Number(lastResponseNs - dueNs) / 1e6;
    if (!ok) counts.errors++;
    else if (status >= 200 && status < 300) counts['2xx']++;
    else counts.non2xx++;
    if (++answered === amount) finish();
  };
  const req = request(
    {
      agent,
      host: target.hostname,
      port: target.port,
      method: 'POST',
      path: paths[i % paths.length],
      headers: { ...headers, 'content-length': payload.length },
      timeout: timeout * 1000,
    },
    (res) => {
      res.resume();
      res.once('end', () => done(true, res.statusCode ?? 0));
      res.once('error', () => done(false, 0));
    },
  );
  req.once('timeout', () => req.destroy(new Error('timeout')));
  req.once('error', () => done(false, 0));
  req.end(payload);
}

/**
 * Sends every request now due, then sleeps until the next. Timers have a 1 ms granularity, so a request may go out up
 * to about a millisecond late (counted in its latency, and reported as its lateness); waiting closer would mean spinning,
 * and the spin would take a core from the servers measured.
 */
function tick() {
  const elapsed = Number(process.hrtime.bigint() - startNs);
  while (sent < amount && due[sent] <= elapsed) send(sent++);
  if (sent < amount) setTimeout(tick, Math.max(0, (due[sent] - elapsed) / 1e6 - 0.5));
}

function finish() {
  agent.destroy();
  const result = { ...counts, latencies: Array.from(latencies), lateness: Array.from(lateness) };
  parentPort?.postMessage({ type: 'result', endNs: lastResponseNs.toString(), result });
}

startNs = process.hrtime.bigint();
parentPort?.postMessage({ type: 'start', atNs: startNs.toString() });
tick();
