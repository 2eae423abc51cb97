import type { Origin } from '../audit/audit-entry.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { changePassword } from './change-password.ts';
import type { CredentialsEnded } from './credentials.ts';
import { validatePassword, type Actor } from './user.ts';

/**
 * A signed-in user changes their own password, giving the current one. The session doing it stays signed in; the
 * user's other sessions end, and their API tokens are revoked unless `keepTokens`. Audited as `user.password` by
 * `origin` (them, from their address), with how many API tokens it revoked; a wrong current password records nothing.
 */
export async function changeOwnPassword(
  deps: Pick<Deps, 'clock' | 'hasher' | 'tokens'> & { storage: StorageOf<'people' | 'transaction'> },
  origin: Origin,
  actor: Actor,
  input: { currentPassword: string; newPassword: string; keepTokens?: boolean },
  sessionToken: string | null,
): Promise<CredentialsEnded> {
  validatePassword(input.newPassword); // before the check: a refused new password is not a wrong guess
  const user = await deps.storage.people.findUserByEmail(actor.email);
  const ok = user?.passwordHash ? await deps.hasher.verify(input.currentPassword, user.passwordHash) : false;
  if (!user || !ok) {
    throw new DomainError('PASSWORD_INCORRECT', 'The current password is not correct.', {
      details: { field: 'currentPassword' },
    });
  }
  return changePassword(deps, origin, actor.id, input.newPassword, {
    keepTokens: input.keepTokens ?? false,
    keepSessionToken: sessionToken,
  });
}
