import type { AuditAction, Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { UserChanges } from '../../ports/storage.ts';
import { endCredentials, type CredentialsEnded } from './credentials.ts';
import { USER_AUDITED_FIELDS, validatePreferences } from './user-admin-helpers.ts';
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
/** The action an edit is filed under, the weightiest change first (every changed field is listed in the entry). */
function userAction(fields: string[], before: User, after: User): AuditAction {
  if (before.active !== after.active) return after.active ? 'user.reactivate' : 'user.deactivate';
  if (before.role !== after.role) return 'user.role';
  if (fields.length === 1 && fields[0] === 'password') return 'user.password';
  return 'user.edit';
}

export async function editUser(
  deps: Pick<Deps, 'clock' | 'hasher' | 'tokens'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
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
    const before = await tx.people.findUserById(id);
    // An erased requester stays erased: nothing may give the pseudonym a password or a way back in.
    if (before?.erasedAt)
      throw new DomainError('USER_ALREADY_ERASED', `The personal data of user ${id} was erased; it cannot be edited.`);
    const user = before && (await tx.people.updateUser(id, changes));
    if (!before || !user) throw new DomainError('USER_NOT_FOUND', `There is no user ${id}.`);
    const groupsBefore = (await tx.people.groupIdsOfUser(id)).sort((a, b) => a - b);
    let ended: CredentialsEnded | undefined;
    if (edit.active === false) ended = await endCredentials(tx, id, { keepSessionHash: null, keepTokens: false });
    else if (changes.passwordHash !== undefined) {
      const keepSessionHash = id === actor.id && sessionToken ? deps.tokens.digest(sessionToken) : null;
      ended = await endCredentials(tx, id, { keepSessionHash, keepTokens: edit.keepTokens ?? false });
    }
    if (edit.groupIds !== undefined) {
      for (const gid of edit.groupIds) {
        if (!(await tx.people.findGroup(gid)))
          throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
      }
      await tx.people.setUserGroups(id, [...new Set(edit.groupIds)]);
    }
    const after = { ...user, groupIds: (await tx.people.groupIdsOfUser(id)).sort((a, b) => a - b) };
    const audited = changesBetween({ ...before, groupIds: groupsBefore }, after, USER_AUDITED_FIELDS);
    if (changes.passwordHash !== undefined) audited.push(secretChange('password'));
    if (audited.length > 0) {
      const action = userAction(
        audited.map((c) => c.field),
        before,
        user,
      );
      // What a deactivation or a new password ended, as one's own password change records it.
      if (ended) audited.push({ field: 'tokensRevoked', after: ended.tokensRevoked });
      await recordAudit(tx, deps.clock, origin, {
        action,
        target: { type: 'user', id, label: user.email },
        changes: audited,
      });
    }
    return after;
  });
}
