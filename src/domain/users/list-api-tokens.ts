import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { ApiToken } from './api-token.ts';

/** The tokens of a user: one's own, or (administrators) anyone's. */
export async function listApiTokens(
  deps: { storage: StorageOf<'people' | 'sessions'> },
  userId: number,
): Promise<ApiToken[]> {
  if (!(await deps.storage.people.findUserById(userId)))
    throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
  return deps.storage.sessions.listApiTokens(userId);
}
