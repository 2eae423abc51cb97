import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Group } from '../../ports/storage.ts';
import type { CopiesMode } from '../notifications/mailings.ts';
import { cleanGroupName, GROUP_AUDITED_FIELDS, onConflict, sortedMembers } from './user-admin-helpers.ts';

export async function createGroup(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  input: { name: string; memberIds?: number[]; copiesMode?: CopiesMode },
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
      if (input.copiesMode !== undefined && input.copiesMode !== group.copiesMode)
        await tx.people.setGroupCopiesMode(group.id, input.copiesMode);
      const created = (await tx.people.findGroup(group.id))!;
      await recordAudit(tx, deps.clock, origin, {
        action: 'group.create',
        target: { type: 'group', id: created.id, label: created.name },
        changes: changesBetween(undefined, sortedMembers(created), GROUP_AUDITED_FIELDS),
      });
      return created;
    }),
  );
}
