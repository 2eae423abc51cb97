import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Group } from '../../ports/storage.ts';
import { cleanGroupName, onConflict } from './user-admin-helpers.ts';

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
