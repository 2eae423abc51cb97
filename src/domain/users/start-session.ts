import type { Deps, StorageOf } from '../deps.ts';
import type { Actor } from './user.ts';
import { csrfTokenOf, SESSION_DAYS, type NewSession } from './authentication.ts';

export async function startSession(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'sessions'> },
  actor: Actor,
): Promise<NewSession> {
  const sessionToken = deps.tokens.random(32);
  const csrfToken = csrfTokenOf(deps, sessionToken);
  const now = deps.clock.now();
  const expiresAt = new Date(now.getTime() + SESSION_DAYS * 86_400_000).toISOString();
  await deps.storage.sessions.createSession(
    deps.tokens.digest(sessionToken),
    { userId: actor.id, csrfHash: deps.tokens.digest(csrfToken), expiresAt },
    now.toISOString(),
  );
  return { sessionToken, csrfToken, expiresAt };
}
