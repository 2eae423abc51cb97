import type { Deps, StorageOf } from '../deps.ts';
import type { Actor } from './user.ts';

export async function resolveSession(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'people'> },
  sessionToken: string,
): Promise<{ actor: Actor; csrfHash: string } | undefined> {
  const found = await deps.storage.people.findActor({ sessionHash: deps.tokens.digest(sessionToken) });
  if (!found?.session || !found.user.active || found.session.expiresAt <= deps.clock.now().toISOString())
    return undefined;
  return { actor: { ...found.user, groupIds: found.groupIds }, csrfHash: found.session.csrfHash };
}
