import type { Config } from '../../config/config.ts';
import { createDispatcher, createHeartbeat, createParley, type DispatchWake } from '../../main.ts';
import { lowerPriority } from './thread-priority.ts';

/** The message a supervising `serve` sends its dispatcher thread or child to wake one of its dispatchers (SQLite). */
const WAKE_MESSAGES: Record<DispatchWake, string> = {
  outbox: 'kick',
  withdrawn: 'withdrawn',
  webhooks: 'kick-webhooks',
};

export function wakeMessage(wake: DispatchWake): string {
  return WAKE_MESSAGES[wake];
}

/** The dispatcher a message from the supervisor wakes, if it is a wake-up. */
export function wakeOf(message: unknown): DispatchWake | undefined {
  return (Object.keys(WAKE_MESSAGES) as DispatchWake[]).find((wake) => WAKE_MESSAGES[wake] === message);
}

/**
 * A dispatcher on a storage of its own (`parley dispatch`, or serve's dispatcher thread or child): migrated, sending,
 * beating as `dispatch`. Beside a supervising `serve` (`in` its thread, or a process of its own), it yields the CPU
 * to serve's HTTP thread (PARLEY_DISPATCHER_NICE), and on SQLite `relay` hears the tickets whose mail states it
 * recorded (for serve's live pages). `stop` finishes what it sends, then closes everything it opened.
 */
export async function startOwnDispatcher(
  config: Readonly<Config>,
  beside?: { in: 'thread' | 'process'; relay?: (tickets: number[], staffOnly: boolean) => void },
): Promise<{ kick(wake: DispatchWake): void; stop(): Promise<void> }> {
  const parley = createParley(config);
  if (beside) {
    const done = lowerPriority(config.dispatcherNice, beside.in);
    if (done && done.failed.length === 0)
      parley.log.debug({ nice: done.nice, threads: done.lowered }, 'the dispatcher yields the CPU to the HTTP thread');
    else if (done)
      parley.log.warn(
        { err: done.failed[0]!.error, lowered: done.lowered, failed: done.failed.length },
        'the dispatcher could not lower the CPU priority of some of its threads; those run as the HTTP thread does',
      );
  }
  await parley.storage.migrate();
  const dispatcher = createDispatcher(parley);
  await dispatcher.start();
  const heartbeat = createHeartbeat(parley, ['dispatch']);
  await heartbeat.start();
  const unrelay =
    beside?.relay && parley.storage.signalsStayInProcess
      ? await parley.storage.onTicketActivity(beside.relay)
      : undefined;
  return {
    kick: (wake) => dispatcher.kick(wake),
    async stop() {
      await dispatcher.stop();
      await heartbeat.stop();
      await unrelay?.();
      await parley.close();
    },
  };
}
