/**
 * The outbox dispatcher in a worker thread of `parley serve` (PARLEY_DISPATCHER=thread, the default): its own event
 * loop and V8 heap, so sending never waits for the HTTP work, in the same process (one Node runtime, not two).
 * Messages from `serve`: 'kick' (SQLite: a mail was queued), 'stop'. To `serve`: { tickets, staffOnly } (SQLite: the
 * mail states it recorded, for the live pages), then { stopped: true } when it has finished.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/config.ts';
import { startOwnDispatcher } from './own-dispatcher.ts';

const port = parentPort;
if (!port) throw new Error('dispatch-thread runs as a worker thread of `parley serve`.');

const config = (workerData as { config: Config }).config;
const dispatcher = await startOwnDispatcher(config, (tickets, staffOnly) => port.postMessage({ tickets, staffOnly }));

let stopping = false;
port.on('message', (m: unknown) => {
  if (m === 'kick') dispatcher.kick();
  else if (m === 'stop' && !stopping) {
    stopping = true;
    void dispatcher.stop().then(() => {
      port.postMessage({ stopped: true });
      port.close();
    });
  }
});
