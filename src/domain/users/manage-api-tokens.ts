import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { validateToken, type ApiToken, type ApiTokenInput } from './api-token.ts';
import { normalizeEmail } from './user.ts';

/**
 * Creates an API token for a user. The token is returned once, here; only its digest is kept. The `prl_` prefix
 * makes leaked tokens easy to scan for.
 */
export async function issueApiToken(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  userId: number,
  input: ApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const now = deps.clock.now();
  const clean = validateToken(now, userId, input);
  const token = `prl_${deps.tokens.random(32)}`;
  const at = now.toISOString();
  const id = await deps.storage.createApiToken(deps.tokens.digest(token), clean, at);
  return { token, apiToken: { id, ...clean, createdAt: at, lastUsedAt: null } };
}

/** The CLI's `parley token create`: a token for the user with this email. */
export async function createApiToken(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  email: string,
  input: ApiTokenInput | string = 'cli',
): Promise<{ token: string; userId: number; apiToken: ApiToken }> {
  const user = await deps.storage.findUserByEmail(normalizeEmail(email));
  if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user with the email ${email}.`);
  if (!user.active)
    throw new DomainError('TOKEN_INVALID', `The user ${user.email} is deactivated; reactivate them first.`, {
      details: { field: 'email' },
    });
  const { token, apiToken } = await issueApiToken(
    deps,
    user.id,
    typeof input === 'string' ? { name: input } : { name: 'cli', ...input },
  );
  return { token, userId: user.id, apiToken };
}

/** The tokens of a user: one's own, or (administrators) anyone's. */
export async function listApiTokens(deps: Pick<Deps, 'storage'>, userId: number): Promise<ApiToken[]> {
  if (!(await deps.storage.findUserById(userId)))
    throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
  return deps.storage.listApiTokens(userId);
}

/** Revokes one token of a user: it stops working at once (every process, every cache). */
export async function revokeApiToken(deps: Pick<Deps, 'storage'>, userId: number, tokenId: number): Promise<void> {
  if (!(await deps.storage.deleteApiToken(userId, tokenId)))
    throw new DomainError('TOKEN_NOT_FOUND', 'There is no such API token (it may have been revoked already).');
}
