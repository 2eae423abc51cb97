import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Uses } from '../../ports/storage.ts';
import { normalizeEmail, type Actor } from './user.ts';
import { TOKEN_TOUCH_MS, type ApiToken } from './api-token.ts';

export const SESSION_DAYS = 14;

/** The user with their groups, as every access decision needs them; undefined for unknown or deactivated users. */
export async function loadActor(repos: Uses<{ people: 'findActor' }>, userId: number): Promise<Actor | undefined> {
  const found = await repos.people.findActor({ userId });
  return found?.user.active ? { ...found.user, groupIds: found.groupIds } : undefined;
}

let dummyHash: Promise<string> | undefined;

/** Checks a password. An unknown email costs the same hash work as a wrong password, so neither can be told apart. */
export async function verifyCredentials(
  deps: Pick<Deps, 'hasher'> & { storage: StorageOf<'people'> },
  email: string,
  password: string,
): Promise<Actor> {
  const user = await deps.storage.people.findUserByEmail(normalizeEmail(email));
  dummyHash ??= deps.hasher.hash('parley-timing-equaliser');
  const ok = await deps.hasher.verify(password, user?.passwordHash ?? (await dummyHash));
  const actor = ok && user?.passwordHash ? await loadActor(deps.storage, user.id) : undefined;
  if (!actor) throw new DomainError('AUTH_INVALID_CREDENTIALS', 'The email or password is not correct.');
  return actor;
}

export interface NewSession {
  sessionToken: string;
  csrfToken: string;
  expiresAt: string;
}

/**
 * The CSRF token of a session is derived from its (secret, HttpOnly) session token: a page of ours can always ask
 * for it again (`GET /me`), a cross-site page can never compute it.
 */
export function csrfTokenOf(deps: Pick<Deps, 'tokens'>, sessionToken: string): string {
  return deps.tokens.digest(`csrf:${sessionToken}`);
}

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

export async function resolveSession(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'people'> },
  sessionToken: string,
): Promise<{ actor: Actor; csrfHash: string } | undefined> {
  const found = await deps.storage.people.findActor({ sessionHash: deps.tokens.digest(sessionToken) });
  if (!found?.session || !found.user.active || found.session.expiresAt <= deps.clock.now().toISOString())
    return undefined;
  return { actor: { ...found.user, groupIds: found.groupIds }, csrfHash: found.session.csrfHash };
}

export async function endSession(
  deps: Pick<Deps, 'tokens'> & { storage: StorageOf<'sessions'> },
  sessionToken: string,
): Promise<void> {
  await deps.storage.sessions.deleteSession(deps.tokens.digest(sessionToken));
}

export { createApiToken } from './create-api-token.ts';

/**
 * The actor behind an API token and the token itself; undefined for an unknown, revoked or expired token or a
 * deactivated user. The token's last use is recorded at most once a minute (`touchApiToken`), never failing the
 * request: it is a hint for the person reviewing their tokens, not a guarantee.
 */
export async function resolveApiToken(
  deps: Pick<Deps, 'tokens' | 'clock'> & { storage: StorageOf<'people' | 'sessions'> },
  token: string,
): Promise<{ actor: Actor; token: ApiToken } | undefined> {
  const found = await deps.storage.people.findActor({ tokenHash: deps.tokens.digest(token) });
  const apiToken = found?.token;
  if (!found?.user.active || !apiToken) return undefined;
  const now = deps.clock.now();
  const iso = now.toISOString();
  if (apiToken.expiresAt !== null && apiToken.expiresAt <= iso) return undefined;
  const notBefore = new Date(now.getTime() - TOKEN_TOUCH_MS).toISOString();
  if (apiToken.lastUsedAt === null || apiToken.lastUsedAt <= notBefore) {
    await deps.storage.sessions.touchApiToken(apiToken.id, iso, notBefore).catch(() => undefined);
  }
  return { actor: { ...found.user, groupIds: found.groupIds }, token: apiToken };
}
