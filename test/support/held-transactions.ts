import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';

/**
 * Runs `count` transactions of `storage` at once, each holding its pool connection: it waits inside until `together`
 * are inside at the same time (at most `waitMs`), then stays `holdMs` more. Answers the most that were inside at
 * once: the pool's size when that is below `together`, else at least `together`. (`together` = `count`: every one
 * of them opened a connection of its own.)
 */
export async function heldTransactions(
  storage: Pick<SqlStorage, 'transaction'>,
  count: number,
  { together = count, waitMs = 10_000, holdMs = 0 }: { together?: number; waitMs?: number; holdMs?: number } = {},
): Promise<number> {
  let inside = 0;
  let most = 0;
  let reached!: () => void;
  const allIn = new Promise<void>((resolve) => (reached = resolve));
  const timeout = AbortSignal.timeout(waitMs);
  const gaveUp = new Promise<void>((resolve) => timeout.addEventListener('abort', () => resolve()));
  await Promise.all(
    Array.from({ length: count }, () =>
      storage.transaction(async (tx) => {
        await tx.people.countUsers();
        most = Math.max(most, ++inside);
        if (inside >= together) reached();
        await Promise.race([allIn, gaveUp]);
        if (holdMs > 0) await new Promise((resolve) => setTimeout(resolve, holdMs));
        inside--;
      }),
    ),
  );
  return most;
}
