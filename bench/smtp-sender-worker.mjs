// @ts-check
/**
 * The sending side of the inbound benchmark: Nodemailer with a pool of SMTP connections, in a worker thread, so that
 * the client's work never shares an event loop with the receiver and ingestor under test (as a real sending server
 * would not). Plain JavaScript because tsx's loader does not reach worker threads on Node 20.
 *
 * workerData: { port, connections }
 * Messages in: { type: 'send', mails: { from, to, raw (bytes) }[] }, answered by { type: 'sent', count, cpuMs } once every
 * mail got its 250 (cpuMs: this thread's own CPU time so far, from /proc/thread-self on Linux, else null), or by
 * { type: 'error', message }. { type: 'close' } closes the pool and ends the worker.
 */
import { readFileSync } from 'node:fs';
import { parentPort, workerData } from 'node:worker_threads';
import nodemailer from 'nodemailer';

const { port, connections } = workerData;
const transport = nodemailer.createTransport({
  host: '127.0.0.1',
  port,
  secure: false,
  ignoreTLS: true,
  pool: true,
  maxConnections: connections,
  maxMessages: Infinity,
});

/** This thread's user + system CPU in milliseconds (Linux), or null. */
function threadCpuMs() {
  try {
    const stat = readFileSync('/proc/thread-self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100; // utime + stime, in USER_HZ ticks
  } catch {
    return null;
  }
}

parentPort?.on('message', async (/** @type {any} */ message) => {
  if (message.type === 'close') {
    transport.close();
    parentPort?.close();
    return;
  }
  try {
    await Promise.all(
      message.mails.map((/** @type {{ from: string, to: string, raw: Uint8Array }} */ m) =>
        // A Buffer sent to a thread arrives as a plain Uint8Array: Nodemailer takes a Buffer.
        transport.sendMail({
          envelope: { from: m.from, to: [m.to] },
          raw: Buffer.from(m.raw.buffer, m.raw.byteOffset, m.raw.byteLength),
        }),
      ),
    );
    parentPort?.postMessage({ type: 'sent', count: message.mails.length, cpuMs: threadCpuMs() });
  } catch (error) {
    parentPort?.postMessage({ type: 'error', message: error instanceof Error ? error.message : String(error) });
  }
});
