import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Group } from '../../ports/storage.ts';
import { cleanGroupName, onConflict } from './user-admin-helpers.ts';

export async function createGroup(
  deps: { storage: StorageOf<'transaction'> },
  input: { name: string; memberIds?: number[] },
): Promise<Group> {
  const name = cleanGroupName(input.name);
  const taken = () => new DomainError('GROUP_NAME_TAKEN', `A group named "${name}" already exists.`);
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      if (await tx.people.findGroupByName(name)) throw taken();
      const group = await tx.people.createGroup(name);
      for (const uid of input.memberIds ?? []) {
        if (!(await tx.people.findUserById(uid)))
          throw new DomainError('USER_NOT_FOUND', `There is no user ${uid}.`, { details: { field: 'memberIds' } });
        await tx.people.addGroupMember(group.id, uid);
      }
      return (await tx.people.findGroup(group.id))!;
    }),
  );
}
