import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { UserChanges } from '../../ports/storage.ts';
import { endCredentials } from './credentials.ts';
import { validatePreferences } from './user-admin-helpers.ts';
import { cleanName, isRole, validatePassword, type Actor, type Role, type User } from './user.ts';

export interface UserEdit {
  name?: string;
  role?: Role;
  locale?: string;
  timeZone?: string;
  active?: boolean;
  groupIds?: number[];
  password?: string;
  /** With `password`: keep the user's API tokens working (by default a new password revokes them). */
  keepTokens?: boolean;
}

/**
 * An administrator edits a user. An administrator cannot deactivate themselves or take away their own admin role
 * (nobody would be left to undo it). Deactivating a user ends all their sessions and revokes all their API tokens, in
 * the same transaction, so reactivating them later revives none. A new password (`changePassword`'s rule) ends every
 * session of the user but the administrator's own (`sessionToken`, when they reset their own password here) and
 * revokes the user's tokens unless `keepTokens`.
 */
export async function editUser(
  deps: Pick<Deps, 'clock' | 'hasher' | 'tokens'> & { storage: StorageOf<'transaction'> },
  actor: Actor,
  id: number,
  edit: UserEdit,
  sessionToken: string | null = null,
): Promise<User & { groupIds: number[] }> {
  if (id === actor.id && (edit.active === false || (edit.role !== undefined && edit.role !== 'admin'))) {
    throw new DomainError(
      'USER_SELF_LOCKOUT',
      'You cannot deactivate yourself or take away your own administrator role; ask another administrator.',
    );
  }
  const changes: UserChanges = {};
  if (edit.name !== undefined) changes.name = cleanName(edit.name, 'name');
  if (edit.role !== undefined) {
    if (!isRole(edit.role))
      throw new DomainError('USER_INVALID', 'Role must be requester, technician or admin.', {
        details: { field: 'role' },
      });
    changes.role = edit.role;
  }
  Object.assign(changes, validatePreferences(edit));
  if (edit.active !== undefined) changes.active = edit.active;
  if (edit.password !== undefined) {
    validatePassword(edit.password);
    changes.passwordHash = await deps.hasher.hash(edit.password);
  }
  return deps.storage.transaction(async (tx) => {
    // An erased requester stays erased: nothing may give the pseudonym a password or a way back in.
    if ((await tx.people.findUserById(id))?.erasedAt)
      throw new DomainError('USER_ALREADY_ERASED', `The personal data of user ${id} was erased; it cannot be edited.`);
    const user = await tx.people.updateUser(id, changes);
    if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user ${id}.`);
    if (edit.active === false) await endCredentials(tx, id, { keepSessionHash: null, keepTokens: false });
    else if (changes.passwordHash !== undefined) {
      const keepSessionHash = id === actor.id && sessionToken ? deps.tokens.digest(sessionToken) : null;
      await endCredentials(tx, id, { keepSessionHash, keepTokens: edit.keepTokens ?? false });
    }
    if (edit.groupIds !== undefined) {
      for (const gid of edit.groupIds) {
        if (!(await tx.people.findGroup(gid)))
          throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
      }
      await tx.people.setUserGroups(id, [...new Set(edit.groupIds)]);
    }
    return { ...user, groupIds: (await tx.people.groupIdsOfUser(id)).sort((a, b) => a - b) };
  });
}
