import { sql } from 'kysely';
import type { CacheVersion } from '../sql/read-cache.ts';
import { prepared } from '../sql/sql-context.ts';
import type { SqlContext } from '../sql/sql-dialect.ts';

/**
 * The change counter of migration 002, which every committed change of any process moves (triggers): read before the
 * data, one primary-key read. A value read after it is at least as new, so it always holds.
 */
export function changeCounter(ctx: SqlContext): CacheVersion {
  const build = () => ({
    compile: () => sql<{ version: number }>`select version from parley_change_counter where id = ${1}`.compile(ctx.db),
  });
  return {
    async current() {
      const [row] = await prepared<{ version: number }>(ctx, 'change-counter', build, [1]);
      return row?.version ?? Number.NaN;
    },
    holds: () => true,
  };
}
