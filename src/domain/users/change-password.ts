import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit, secretChange } from '../audit/record-audit.ts';
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
 * user but `keepSessionToken` ends, and the user's API tokens are revoked unless `keepTokens`. The change is audited
 * in the same transaction as `user.password` by `origin`: the password named, never kept, and how many API tokens
 * it revoked.
 */
export async function changePassword(
  deps: Pick<Deps, 'clock' | 'hasher' | 'tokens'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  userId: number,
  newPassword: string,
  options: PasswordChangeOptions = {},
): Promise<CredentialsEnded> {
  validatePassword(newPassword);
  const passwordHash = await deps.hasher.hash(newPassword);
  const keepSessionHash = options.keepSessionToken ? deps.tokens.digest(options.keepSessionToken) : null;
  return deps.storage.transaction(async (tx) => {
    const user = await tx.people.updateUser(userId, { passwordHash });
    if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
    const ended = await endCredentials(tx, userId, { keepSessionHash, keepTokens: options.keepTokens ?? false });
    await recordAudit(tx, deps.clock, origin, {
      action: 'user.password',
      target: { type: 'user', id: userId, label: user.email },
      changes: [secretChange('password'), { field: 'tokensRevoked', after: ended.tokensRevoked }],
    });
    return ended;
  });
}
