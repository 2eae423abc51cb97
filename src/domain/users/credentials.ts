import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import { validatePassword, type Actor } from './user.ts';

export interface PasswordChangeOptions {
  /** Keep the user's API tokens working (the default revokes them). */
  keepTokens?: boolean;
  /** The session making the change (the user's own): it stays signed in. Every other session of the user ends. */
  keepSessionToken?: string | null;
}

export interface CredentialsEnded {
  sessionsEnded: number;
  tokensRevoked: number;
}

/**
 * Ends a user's other ways in: every session but the digest `keepSessionHash`, and the API tokens unless kept. Run
 * inside the transaction that changes the password or deactivates the user, so both happen or neither. Ended
 * sessions and tokens are removed, not flagged, so nothing can bring them back (reactivating a user included).
 */
export async function endCredentials(
  tx: Pick<Repositories, 'deleteSessionsOfUser' | 'deleteApiTokensOfUser'>,
  userId: number,
  options: { keepSessionHash?: string | null; keepTokens?: boolean },
): Promise<CredentialsEnded> {
  const sessionsEnded = await tx.deleteSessionsOfUser(userId, options.keepSessionHash ?? null);
  const tokensRevoked = options.keepTokens ? 0 : await tx.deleteApiTokensOfUser(userId);
  return { sessionsEnded, tokensRevoked };
}

/**
 * Sets a user's password — the one rule for every way a password changes (the user's own change, an
 * administrator's reset, `parley user password`): in one transaction the new hash is stored, every session of the
 * user but `keepSessionToken` ends, and the user's API tokens are revoked unless `keepTokens`.
 */
export async function changePassword(
  deps: Pick<Deps, 'storage' | 'hasher' | 'tokens'>,
  userId: number,
  newPassword: string,
  options: PasswordChangeOptions = {},
): Promise<CredentialsEnded> {
  validatePassword(newPassword);
  const passwordHash = await deps.hasher.hash(newPassword);
  const keepSessionHash = options.keepSessionToken ? deps.tokens.digest(options.keepSessionToken) : null;
  return deps.storage.transaction(async (tx) => {
    if (!(await tx.updateUser(userId, { passwordHash })))
      throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
    return endCredentials(tx, userId, { keepSessionHash, keepTokens: options.keepTokens ?? false });
  });
}

/**
 * A signed-in user changes their own password, giving the current one. The session doing it stays signed in; the
 * user's other sessions end, and their API tokens are revoked unless `keepTokens`.
 */
export async function changeOwnPassword(
  deps: Pick<Deps, 'storage' | 'hasher' | 'tokens'>,
  actor: Actor,
  input: { currentPassword: string; newPassword: string; keepTokens?: boolean },
  sessionToken: string | null,
): Promise<CredentialsEnded> {
  validatePassword(input.newPassword); // before the check: a refused new password is not a wrong guess
  const user = await deps.storage.findUserByEmail(actor.email);
  const ok = user?.passwordHash ? await deps.hasher.verify(input.currentPassword, user.passwordHash) : false;
  if (!user || !ok) {
    throw new DomainError('PASSWORD_INCORRECT', 'The current password is not correct.', {
      details: { field: 'currentPassword' },
    });
  }
  return changePassword(deps, actor.id, input.newPassword, {
    keepTokens: input.keepTokens ?? false,
    keepSessionToken: sessionToken,
  });
}
