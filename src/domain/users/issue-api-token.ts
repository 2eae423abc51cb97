import type { Deps, StorageOf } from '../deps.ts';
import { validateToken, type ApiToken, type ApiTokenInput } from './api-token.ts';

/**
 * Creates an API token for a user. The token is returned once, here; only its digest is kept. The `prl_` prefix
 * makes leaked tokens easy to scan for.
 */
export async function issueApiToken(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'sessions'> },
  userId: number,
  input: ApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const now = deps.clock.now();
  const clean = validateToken(now, userId, input);
  const token = `prl_${deps.tokens.random(32)}`;
  const at = now.toISOString();
  const id = await deps.storage.sessions.createApiToken(deps.tokens.digest(token), clean, at);
  return { token, apiToken: { id, ...clean, createdAt: at, lastUsedAt: null } };
}
