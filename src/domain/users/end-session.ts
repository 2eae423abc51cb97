import type { Deps, StorageOf } from '../deps.ts';

export async function endSession(
  deps: Pick<Deps, 'tokens'> & { storage: StorageOf<'sessions'> },
  sessionToken: string,
): Promise<void> {
  await deps.storage.sessions.deleteSession(deps.tokens.digest(sessionToken));
}
