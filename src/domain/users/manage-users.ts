import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { UniqueViolation, type Group, type UserChanges } from '../../ports/storage.ts';
import { isLocale, isTimeZone } from '../locale.ts';
import { endCredentials } from './credentials.ts';
import {
  cleanName,
  isRole,
  validateNewUser,
  validatePassword,
  type Actor,
  type NewUserInput,
  type Role,
  type User,
} from './user.ts';

export async function createUser(deps: Pick<Deps, 'storage' | 'clock' | 'hasher'>, input: NewUserInput): Promise<User> {
  const clean = validateNewUser(input);
  const passwordHash = input.password ? await deps.hasher.hash(input.password) : null;
  const taken = () =>
    new DomainError('USER_EMAIL_TAKEN', `A user with the email ${clean.email} already exists.`, {
      details: { field: 'email' },
    });
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      if (await tx.findUserByEmail(clean.email)) throw taken();
      for (const gid of input.groupIds ?? []) {
        if (!(await tx.findGroup(gid)))
          throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
      }
      const user = await tx.createUser({ ...clean, passwordHash }, deps.clock.now().toISOString());
      for (const gid of input.groupIds ?? []) await tx.addGroupMember(gid, user.id);
      return user;
    }),
  );
}

/** Two requests creating the same thing at once: the loser gets the same conflict as if it had come second. */
async function onConflict<T>(conflict: () => DomainError, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueViolation) throw conflict();
    throw error;
  }
}

export async function createGroup(
  deps: Pick<Deps, 'storage'>,
  input: { name: string; memberIds?: number[] },
): Promise<Group> {
  const name = cleanGroupName(input.name);
  const taken = () => new DomainError('GROUP_NAME_TAKEN', `A group named "${name}" already exists.`);
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      if (await tx.findGroupByName(name)) throw taken();
      const group = await tx.createGroup(name);
      for (const uid of input.memberIds ?? []) {
        if (!(await tx.findUserById(uid)))
          throw new DomainError('USER_NOT_FOUND', `There is no user ${uid}.`, { details: { field: 'memberIds' } });
        await tx.addGroupMember(group.id, uid);
      }
      return (await tx.findGroup(group.id))!;
    }),
  );
}

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
  deps: Pick<Deps, 'storage' | 'clock' | 'hasher' | 'tokens'>,
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
    const user = await tx.updateUser(id, changes);
    if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user ${id}.`);
    if (edit.active === false) await endCredentials(tx, id, { keepSessionHash: null, keepTokens: false });
    else if (changes.passwordHash !== undefined) {
      const keepSessionHash = id === actor.id && sessionToken ? deps.tokens.digest(sessionToken) : null;
      await endCredentials(tx, id, { keepSessionHash, keepTokens: edit.keepTokens ?? false });
    }
    if (edit.groupIds !== undefined) {
      for (const gid of edit.groupIds) {
        if (!(await tx.findGroup(gid)))
          throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
      }
      await tx.setUserGroups(id, [...new Set(edit.groupIds)]);
    }
    return { ...user, groupIds: (await tx.groupIdsOfUser(id)).sort((a, b) => a - b) };
  });
}

function validatePreferences(input: { locale?: string; timeZone?: string }): Pick<UserChanges, 'locale' | 'timeZone'> {
  const changes: Pick<UserChanges, 'locale' | 'timeZone'> = {};
  if (input.locale !== undefined) {
    if (!isLocale(input.locale))
      throw new DomainError('USER_INVALID', 'Locale must be en-US, pt-BR or es-ES.', { details: { field: 'locale' } });
    changes.locale = input.locale;
  }
  if (input.timeZone !== undefined) {
    if (!isTimeZone(input.timeZone))
      throw new DomainError('USER_INVALID', `"${input.timeZone}" is not a known time zone.`, {
        details: { field: 'timeZone' },
      });
    changes.timeZone = input.timeZone;
  }
  return changes;
}

/** Anyone signed in sets their own language and time zone (the pages, dates and mails they get follow them). */
export async function updatePreferences(
  deps: Pick<Deps, 'storage' | 'clock'>,
  actor: Actor,
  input: { locale?: string; timeZone?: string },
): Promise<User> {
  const user = await deps.storage.updateUser(actor.id, validatePreferences(input));
  if (!user) throw new DomainError('USER_NOT_FOUND', 'Your account no longer exists.');
  return user;
}

function cleanGroupName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError('VALIDATION_FAILED', 'A group name must be 1 to 120 characters on one line.', {
      details: { field: 'name' },
    });
  }
  return name;
}

/** Renames a group and/or sets its members. */
export async function editGroup(
  deps: Pick<Deps, 'storage'>,
  id: number,
  input: { name?: string; memberIds?: number[] },
): Promise<Group> {
  const name = input.name === undefined ? undefined : cleanGroupName(input.name);
  const taken = () => new DomainError('GROUP_NAME_TAKEN', `A group named "${name}" already exists.`);
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      const group = await tx.findGroup(id);
      if (!group) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
      if (name !== undefined && name !== group.name) {
        const other = await tx.findGroupByName(name);
        if (other && other.id !== id) throw taken();
        await tx.renameGroup(id, name);
      }
      if (input.memberIds !== undefined) {
        const wanted = new Set(input.memberIds);
        for (const uid of wanted) {
          if (!(await tx.findUserById(uid)))
            throw new DomainError('USER_NOT_FOUND', `There is no user ${uid}.`, { details: { field: 'memberIds' } });
        }
        for (const uid of group.memberIds) if (!wanted.has(uid)) await tx.removeGroupMember(id, uid);
        for (const uid of wanted) await tx.addGroupMember(id, uid);
      }
      return (await tx.findGroup(id))!;
    }),
  );
}

/** Deletes a group nobody's tickets belong to any more. */
export async function deleteGroup(deps: Pick<Deps, 'storage'>, id: number): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    if (!(await tx.findGroup(id))) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
    const tickets = await tx.countTicketsOfGroup(id);
    if (tickets > 0) {
      throw new DomainError(
        'GROUP_IN_USE',
        `${tickets} ticket(s) belong to this group; move them to another group first.`,
        { details: { tickets } },
      );
    }
    await tx.deleteGroup(id);
  });
}
