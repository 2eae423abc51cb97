import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { endCredentials, type CredentialsEnded } from './credentials.ts';
import { validatePassword } from './user.ts';

export interface PasswordChangeOptions {
  /** Keep the user's API tokens working (the default revokes them). */
  keepTokens?: boolean;
  /** The session making the change (the user's own): it stays signed in. Every other session of the user ends. */
  keepSessionToken?: string | null;
}

/**
 * Sets a user's password — the one rule for every way a password changes (the user's own change, an
 * administrator's reset, `parley user password`): in one transaction the new hash is stored, every session of the
 * user but `keepSessionToken` ends, and the user's API tokens are revoked unless `keepTokens`.
 */
export async function changePassword(
  deps: Pick<Deps, 'hasher' | 'tokens'> & { storage: StorageOf<'transaction'> },
  userId: number,
  newPassword: string,
  options: PasswordChangeOptions = {},
): Promise<CredentialsEnded> {
  validatePassword(newPassword);
  const passwordHash = await deps.hasher.hash(newPassword);
  const keepSessionHash = options.keepSessionToken ? deps.tokens.digest(options.keepSessionToken) : null;
  return deps.storage.transaction(async (tx) => {
    if (!(await tx.people.updateUser(userId, { passwordHash })))
      throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
    return endCredentials(tx, userId, { keepSessionHash, keepTokens: options.keepTokens ?? false });
  });
}
