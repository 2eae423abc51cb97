import type { Repositories } from '../../../ports/storage.ts';
import { overriding } from './sql-repositories.ts';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

/**
 * Where a cache learns that what it keeps may be old: SQLite reads migration 002's change counter, PostgreSQL counts
 * the notices of migration 029 (`postgres/cache-notices.ts`).
 */
export interface CacheVersion {
  /**
   * Read before the data, so a value read afterwards is at least as new as what the version stands for. NaN: keep
   * nothing now (PostgreSQL while it is not listening).
   */
  current(): Promise<number> | number;
  /** Whether a value read under `version` may still be kept: false once a change was announced since. */
  holds(version: number): boolean;
}

/**
 * The reads every request or dispatcher batch repeats (the actor behind a session or token, the parameters and the
 * messaging settings, a recipient, a group's staff, the signatures a message's mails carry, the webhook endpoints),
 * kept until the version moves. The version is read first, and a value is kept only while it still holds, so
 * a value is never kept under a newer version than the data it was read with; a change committed by any process (this
 * one, the dispatcher, the CLI) moves it and empties the cache. Misses are not kept. Reads inside a transaction do not
 * come here.
 */
export function withReadCache(repos: Repositories, source: CacheVersion): Repositories {
  let cache = { version: Number.NaN, entries: new Map<string, unknown>() };
  async function cached<T>(key: string, read: () => Promise<T>): Promise<T> {
    const version = await source.current();
    if (version !== cache.version) cache = { version, entries: new Map() };
    const entries = cache.entries;
    if (entries.has(key)) return entries.get(key) as T;
    const value = await read();
    // Frozen: a caller that changed a cached value (pushing onto a group's staff) would change it for every later one.
    const keep = value !== undefined && cache.entries === entries && source.holds(version) && entries.size < 10_000;
    if (keep) entries.set(key, deepFreeze(value));
    return value;
  }
  const { people, settings, webhooks } = repos;

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
      getParameters: () => cached('parameters', () => settings.getParameters()),
      getParametersWithTemplate: (parameter) =>
        cached(`settings:${parameter}`, () => settings.getParametersWithTemplate(parameter)),
    }),
    webhooks: overriding(webhooks, {
      webhookEndpointsFor: (event) => cached(`webhooks:${event}`, () => webhooks.webhookEndpointsFor(event)),
      listWebhookEndpoints: () => cached('webhooks', () => webhooks.listWebhookEndpoints()),
    }),
  };
}
