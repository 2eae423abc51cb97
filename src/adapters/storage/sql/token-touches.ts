import type { Repositories } from '../../../ports/storage.ts';
import { overriding } from './sql-repositories.ts';

/**
 * When this process last recorded each token's use (at most once a minute per token, `touchApiToken`): a request
 * within the minute costs no statement at all. Needed on SQLite, whose read cache serves the actor with the
 * `lastUsedAt` read when it was cached (the trigger of migration 008 leaves the change counter alone for it), so
 * without this each request after the first minute would write again; on PostgreSQL it saves a round trip.
 */
export function withTokenTouches(repos: Repositories): Repositories {
  const { sessions } = repos;
  const touches = new Map<number, number>();
  return {
    ...repos,
    sessions: overriding(sessions, {
      async touchApiToken(id, at, notBefore) {
        const last = touches.get(id);
        if (last !== undefined && last > Date.parse(notBefore)) return;
        touches.delete(id);
        touches.set(id, Date.parse(at));
        if (touches.size > 10_000) touches.delete(touches.keys().next().value!);
        await sessions.touchApiToken(id, at, notBefore);
      },
    }),
  };
}
