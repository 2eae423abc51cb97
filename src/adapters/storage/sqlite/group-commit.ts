import type { Repositories } from '../../../ports/storage.ts';
import type { UnitOfWork } from '../../../ports/storage/unit-of-work.ts';
import { writeMessage } from '../sql/repositories/unit-of-work.ts';
import { inSavepoint } from '../sql/sql-context.ts';
import { overriding } from '../sql/sql-repositories.ts';
import { asUniqueViolation, type Transact } from '../sql/sql-storage.ts';

type Args = Parameters<UnitOfWork['storeMessage']>;
type Stored = Awaited<ReturnType<UnitOfWork['storeMessage']>>;

/**
 * Group commit. The messages stored during one turn of the event loop (the requests that arrived together), or while
 * the previous group was being written, go into one transaction, each behind a savepoint so that one failing leaves
 * the others whole. Each caller hears back only after the commit. A commit writes every page it changed to the WAL
 * and is a hand-off of the write lock with the dispatcher process, so fewer commits are the largest saving there is
 * for concurrent posting (see BENCHMARKS.md).
 */
export function withGroupCommit(repos: Repositories, transact: Transact): Repositories {
  let group: { args: Args; done: (stored: Stored) => void; fail: (error: unknown) => void }[] = [];
  let writing = false;

  async function writeGroup(): Promise<void> {
    const items = group;
    group = [];
    writing = true;
    const outcomes: ({ ok: true; stored: Stored } | { ok: false; error: unknown })[] = [];
    try {
      await transact(async (ctx) => {
        if (items.length === 1) {
          outcomes.push({ ok: true, stored: await writeMessage(ctx, ...items[0]!.args) });
          return;
        }
        for (const item of items) {
          try {
            outcomes.push({
              ok: true,
              stored: await inSavepoint(ctx, 'parley_message', (c) => writeMessage(c, ...item.args)),
            });
          } catch (error) {
            outcomes.push({ ok: false, error: asUniqueViolation(error) });
          }
        }
      });
      items.forEach((item, i) => {
        const outcome = outcomes[i]!;
        if (outcome.ok) item.done(outcome.stored);
        else item.fail(outcome.error);
      });
    } catch (error) {
      // The transaction itself failed (the write lock not obtained in time, the commit): nothing of the group is stored.
      for (const item of items) item.fail(error);
    } finally {
      writing = false;
      if (group.length > 0) void writeGroup();
    }
  }

  return {
    ...repos,
    atomic: overriding(repos.atomic, {
      storeMessage: (...args: Args) =>
        new Promise<Stored>((done, fail) => {
          group.push({ args, done, fail });
          if (group.length === 1 && !writing) setImmediate(() => void writeGroup());
        }),
    }),
  };
}
