import { sql } from 'kysely';
import type { Repositories } from '../../../ports/storage.ts';
import { prepared } from '../sql/sql-context.ts';
import type { SqlContext } from '../sql/sql-dialect.ts';
import { overriding } from '../sql/sql-repositories.ts';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/** The change counter of migration 002, which every committed change of any process moves. */
async function changeCounter(ctx: SqlContext): Promise<number> {
  const build = () => ({
    compile: () => sql<{ version: number }>`select version from parley_change_counter where id = ${1}`.compile(ctx.db),
  });
  const [row] = await prepared<{ version: number }>(ctx, 'change-counter', build, [1]);
  return row?.version ?? Number.NaN;
}

/**
 * The reads every request repeats (the actor behind a session or token, the messaging settings, a recipient, a
 * group's staff, the signatures a message's mails carry), kept until migration 002's change counter moves. The
 * counter is read first, so a value is never kept under a newer counter than the data it was read with; a change
 * committed by any process (this one, the dispatcher, the CLI) moves the counter and empties the cache. Misses are
 * not kept. (PostgreSQL reads are already one round trip each and are not cached.)
 */
export function withReadCache(repos: Repositories, ctx: SqlContext): Repositories {
  let cache = { version: Number.NaN, entries: new Map<string, unknown>() };
  async function cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const version = await changeCounter(ctx);
    if (version !== cache.version) cache = { version, entries: new Map() };
    const entries = cache.entries;
    if (entries.has(key)) return entries.get(key) as T;
    const value = await read();
    // Frozen: a caller that changed a cached value (pushing onto a group's staff) would change it for every later one.
    if (value !== undefined && cache.entries === entries && entries.size < 10_000) entries.set(key, deepFreeze(value));
    return value;
  }
  const { people, settings } = repos;

  return {
    ...repos,
    people: overriding(people, {
      findActor: (key) => {
        const name =
          'userId' in key
            ? `actor:u:${key.userId}`
            : 'email' in key
              ? `actor:e:${key.email}`
              : 'tokenHash' in key
                ? `actor:t:${key.tokenHash}`
                : `actor:s:${key.sessionHash}`;
        return cached(name, () => people.findActor(key));
      },
      findUserById: (id) => cached(`user:${id}`, () => people.findUserById(id)),
      staffOfGroup: (groupId) => cached(`staff:${groupId}`, () => people.staffOfGroup(groupId)),
      signaturesFor: (userId, groupId) =>
        cached(`signatures:${userId}:${groupId}`, () => people.signaturesFor(userId, groupId)),
    }),
    settings: overriding(settings, {
      getParametersWithTemplate: (parameter) =>
        cached(`settings:${parameter}`, () => settings.getParametersWithTemplate(parameter)),
    }),
  };
}
