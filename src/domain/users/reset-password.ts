import type { Origin } from '../audit/audit-entry.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { editUser } from './edit-user.ts';
import { normalizeEmail, type User } from './user.ts';

/**
 * An operator sets a person's password from the command line (`parley user password`): the same change as an
 * administrator's (`editUser`, same password rule, and whatever a password change does to the person's sessions and
 * tokens there: every session ends, and the API tokens are revoked unless `keepTokens`), found by email. The person
 * acts on their own account here, as no administrator is signed in.
 */
export async function resetPasswordByEmail(
  deps: Pick<Deps, 'clock' | 'hasher' | 'tokens'> & { storage: StorageOf<'people' | 'transaction'> },
  origin: Origin,
  email: string,
  password: string,
  options: { keepTokens?: boolean } = {},
): Promise<User> {
  const found = await deps.storage.people.findUserByEmail(normalizeEmail(email));
  if (!found) throw new DomainError('USER_NOT_FOUND', `There is no user with the email ${email}.`);
  const { passwordHash: _hash, ...user } = found;
  const { groupIds: _groups, ...changed } = await editUser(deps, origin, { ...user, groupIds: [] }, user.id, {
    password,
    keepTokens: options.keepTokens ?? false,
  });
  return changed;
}
