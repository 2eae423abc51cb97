import type { Config } from '../../config/config.ts';
import { createDispatcher, createHeartbeat, createParley, type DispatchWake } from '../../main.ts';

/** The message a supervising `serve` sends its dispatcher thread or child to wake one of its dispatchers (SQLite). */
const WAKE_MESSAGES: Record<DispatchWake, string> = { outbox: 'kick', webhooks: 'kick-webhooks' };

export function wakeMessage(wake: DispatchWake): string {
  return WAKE_MESSAGES[wake];
}

/** The dispatcher a message from the supervisor wakes, if it is a wake-up. */
export function wakeOf(message: unknown): DispatchWake | undefined {
  return (Object.keys(WAKE_MESSAGES) as DispatchWake[]).find((wake) => WAKE_MESSAGES[wake] === message);
}

/**
 * A dispatcher on a storage of its own (`parley dispatch`, or serve's dispatcher thread): migrated, sending, beating
 * as `dispatch`; on SQLite, `relay` hears the tickets whose mail states it recorded (for the live pages of a
 * supervising `serve`). `stop` finishes what it sends, then closes everything it opened.
 */
export async function startOwnDispatcher(
  config: Readonly<Config>,
  relay?: (tickets: number[], staffOnly: boolean) => void,
): Promise<{ kick(wake: DispatchWake): void; stop(): Promise<void> }> {
  const parley = createParley(config);
  await parley.storage.migrate();
  const dispatcher = createDispatcher(parley);
  await dispatcher.start();
  const heartbeat = createHeartbeat(parley, ['dispatch']);
  await heartbeat.start();
  const unrelay =
    relay && parley.storage.signalsStayInProcess ? await parley.storage.onTicketActivity(relay) : undefined;
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
