import type { Deps } from '../deps.ts';
import type { Uses } from '../../ports/storage.ts';
import type { Actor } from './user.ts';

export const SESSION_DAYS = 14;

/** The user with their groups, as every access decision needs them; undefined for unknown or deactivated users. */
export async function loadActor(repos: Uses<{ people: 'findActor' }>, userId: number): Promise<Actor | undefined> {
  const found = await repos.people.findActor({ userId });
  return found?.user.active ? { ...found.user, groupIds: found.groupIds } : undefined;
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
