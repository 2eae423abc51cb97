import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { UniqueViolation, type Group } from '../../ports/storage.ts';
import { validateNewUser, type NewUserInput, type User } from './user.ts';

export async function createUser(deps: Pick<Deps, 'storage' | 'clock' | 'hasher'>, input: NewUserInput): Promise<User> {
  const clean = validateNewUser(input);
  const passwordHash = input.password ? await deps.hasher.hash(input.password) : null;
  const taken = () => new DomainError('USER_EMAIL_TAKEN', `A user with the email ${clean.email} already exists.`, { details: { field: 'email' } });
  return onConflict(taken, () => deps.storage.transaction(async (tx) => {
    if (await tx.findUserByEmail(clean.email)) throw taken();
    for (const gid of input.groupIds ?? []) {
      if (!(await tx.findGroup(gid))) throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
    }
    const user = await tx.createUser({ ...clean, passwordHash }, deps.clock.now().toISOString());
    for (const gid of input.groupIds ?? []) await tx.addGroupMember(gid, user.id);
    return user;
  }));
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

export async function createGroup(deps: Pick<Deps, 'storage'>, input: { name: string; memberIds?: number[] }): Promise<Group> {
  const name = input.name.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError('VALIDATION_FAILED', 'A group name must be 1 to 120 characters on one line.', { details: { field: 'name' } });
  }
  const taken = () => new DomainError('GROUP_NAME_TAKEN', `A group named "${name}" already exists.`);
  return onConflict(taken, () => deps.storage.transaction(async (tx) => {
    if (await tx.findGroupByName(name)) throw taken();
    const group = await tx.createGroup(name);
    for (const uid of input.memberIds ?? []) {
      if (!(await tx.findUserById(uid))) throw new DomainError('USER_NOT_FOUND', `There is no user ${uid}.`, { details: { field: 'memberIds' } });
      await tx.addGroupMember(group.id, uid);
    }
    return (await tx.findGroup(group.id))!;
  }));
}
