import type { Deps, StorageOf } from '../deps.ts';

const DAY_MS = 86_400_000;

/**
 * Removes the originals of inbound mail decided more than `keepDays` days ago (a batch at a time; 0 keeps them for
 * ever). What each mail became (its text, sender, ticket, outcome, attachments in the thread) stays. Returns how many.
 */
export async function removeOldInboundRaw(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'inbound'> },
  keepDays: number,
  batch = 500,
): Promise<number> {
  if (keepDays <= 0) return 0;
  const now = deps.clock.now();
  return deps.storage.inbound.removeInboundRaw(
    new Date(now.getTime() - keepDays * DAY_MS).toISOString(),
    now.toISOString(),
    batch,
  );
}
