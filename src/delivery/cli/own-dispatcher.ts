import type { Config } from '../../config/config.ts';
import { createDispatcher, createHeartbeat, createParley } from '../../main.ts';

/**
 * A dispatcher on a storage of its own (`parley dispatch`, or serve's dispatcher thread): migrated, sending, beating
 * as `dispatch`; on SQLite, `relay` hears the tickets whose mail states it recorded (for the live pages of a
 * supervising `serve`). `stop` finishes what it sends, then closes everything it opened.
 */
export async function startOwnDispatcher(
  config: Readonly<Config>,
  relay?: (tickets: number[], staffOnly: boolean) => void,
): Promise<{ kick(): void; stop(): Promise<void> }> {
  const parley = createParley(config);
  await parley.storage.migrate();
  const dispatcher = createDispatcher(parley);
  await dispatcher.start();
  const heartbeat = createHeartbeat(parley, ['dispatch']);
  await heartbeat.start();
  const unrelay =
    relay && parley.storage.signalsStayInProcess ? await parley.storage.onTicketActivity(relay) : undefined;
  return {
    kick: () => dispatcher.kick(),
    async stop() {
      await dispatcher.stop();
      await heartbeat.stop();
      await unrelay?.();
      await parley.close();
    },
  };
}
