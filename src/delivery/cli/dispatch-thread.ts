/**
 * The outbox dispatcher in a worker thread of `parley serve` (PARLEY_DISPATCHER=thread, the default): its own event
 * loop and V8 heap, so sending never waits for the HTTP work, in the same process (one Node runtime, not two).
 * Messages from `serve`: 'kick' (SQLite: a mail was queued), 'stop'. To `serve`: { tickets, staffOnly } (SQLite: the
 * mail states it recorded, for the live pages), then { stopped: true } when it has finished.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/config.ts';
import { createDispatcher, createHeartbeat, createParley } from '../../main.ts';

const port = parentPort;
if (!port) throw new Error('dispatch-thread runs as a worker thread of `parley serve`.');

const config = (workerData as { config: Config }).config;
const parley = createParley(config);
await parley.storage.migrate();
const dispatcher = createDispatcher(parley);
await dispatcher.start();
const heartbeat = createHeartbeat(parley, ['dispatch']);
await heartbeat.start();
const relay = parley.storage.signalsStayInProcess
  ? await parley.storage.onTicketActivity((tickets, staffOnly) => port.postMessage({ tickets, staffOnly }))
  : undefined;

let stopping = false;
port.on('message', (m: unknown) => {
  if (m === 'kick') dispatcher.kick();
  else if (m === 'stop' && !stopping) {
    stopping = true;
    void (async () => {
      await dispatcher.stop();
      await heartbeat.stop();
      await relay?.();
      await parley.close();
      port.postMessage({ stopped: true });
      port.close();
    })();
  }
});
port.postMessage({ ready: true });
