import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';

/** Revokes one token of a user: it stops working at once (every process, every cache). */
export async function revokeApiToken(
  deps: { storage: StorageOf<'sessions'> },
  userId: number,
  tokenId: number,
): Promise<void> {
  if (!(await deps.storage.sessions.deleteApiToken(userId, tokenId)))
    throw new DomainError('TOKEN_NOT_FOUND', 'There is no such API token (it may have been revoked already).');
}
