/**
 * The outbox dispatcher in a worker thread of `parley serve` (PARLEY_DISPATCHER=thread, the default): its own event
 * loop and V8 heap, so sending never waits for the HTTP work, in the same process (one Node runtime, not two).
 * Messages from `serve`: 'kick' (SQLite: a mail was queued), 'withdrawn' (mail or webhook deliveries it may be sending
 * were taken back), 'kick-webhooks' (webhook deliveries were queued), 'stop'. To `serve`: { tickets, staffOnly }
 * (SQLite: the mail states it recorded, for the live pages), then { stopped: true } when it has finished.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { Config } from '../../config/config.ts';
import { startOwnDispatcher, wakeOf } from './own-dispatcher.ts';

const port = parentPort;
if (!port) throw new Error('dispatch-thread runs as a worker thread of `parley serve`.');

const config = (workerData as { config: Config }).config;
const dispatcher = await startOwnDispatcher(config, {
  in: 'thread',
  relay: (tickets, staffOnly) => port.postMessage({ tickets, staffOnly }),
});

let stopping = false;
port.on('message', (m: unknown) => {
  const wake = wakeOf(m);
  if (wake) dispatcher.kick(wake);
  else if (m === 'stop' && !stopping) {
    stopping = true;
    void dispatcher.stop().then(() => {
      port.postMessage({ stopped: true });
      port.close();
    });
  }
});
