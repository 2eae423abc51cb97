import type { Deps, StorageOf } from '../deps.ts';
import type { Actor } from './user.ts';
import { TOKEN_TOUCH_MS, type ApiToken } from './api-token.ts';

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
