import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Group } from '../../ports/storage.ts';
import type { CopiesMode } from '../notifications/mailings.ts';
import { cleanGroupName, GROUP_AUDITED_FIELDS, onConflict, sortedMembers } from './user-admin-helpers.ts';

/** Renames a group, sets its members and/or how it sends copies. */
export async function editGroup(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
  input: { name?: string; memberIds?: number[]; copiesMode?: CopiesMode },
): Promise<Group> {
  const name = input.name === undefined ? undefined : cleanGroupName(input.name);
  const taken = () => new DomainError('GROUP_NAME_TAKEN', `A group named "${name}" already exists.`);
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      const group = await tx.people.findGroup(id);
      if (!group) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
      if (name !== undefined && name !== group.name) {
        const other = await tx.people.findGroupByName(name);
        if (other && other.id !== id) throw taken();
        await tx.people.renameGroup(id, name);
      }
      if (input.memberIds !== undefined) {
        const wanted = new Set(input.memberIds);
        for (const uid of wanted) {
          if (!(await tx.people.findUserById(uid)))
            throw new DomainError('USER_NOT_FOUND', `There is no user ${uid}.`, { details: { field: 'memberIds' } });
        }
        for (const uid of group.memberIds) if (!wanted.has(uid)) await tx.people.removeGroupMember(id, uid);
        for (const uid of wanted) await tx.people.addGroupMember(id, uid);
      }
      if (input.copiesMode !== undefined && input.copiesMode !== group.copiesMode)
        await tx.people.setGroupCopiesMode(id, input.copiesMode);
      const saved = (await tx.people.findGroup(id))!;
      const changes = changesBetween(sortedMembers(group), sortedMembers(saved), GROUP_AUDITED_FIELDS);
      if (changes.length > 0)
        await recordAudit(tx, deps.clock, origin, {
          action: 'group.edit',
          target: { type: 'group', id, label: saved.name },
          changes,
        });
      return saved;
    }),
  );
}
