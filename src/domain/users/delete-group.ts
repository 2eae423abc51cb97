import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { GROUP_AUDITED_FIELDS, sortedMembers } from './user-admin-helpers.ts';
import { DomainError } from '../errors.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';

/** Deletes a group nobody's tickets belong to any more, unless it is the default team (parameter 9018). */
export async function deleteGroup(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    const group = await tx.people.findGroup(id);
    if (!group) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
    if ((await readParameters(tx)).get(PARAM.DEFAULT_TEAM) === id) {
      throw new DomainError(
        'GROUP_IN_USE',
        `This group is the default team (parameter ${PARAM.DEFAULT_TEAM}): name another default team before deleting it.`,
        { details: { parameter: PARAM.DEFAULT_TEAM } },
      );
    }
    const tickets = await tx.tickets.countTicketsOfGroup(id);
    if (tickets > 0) {
      throw new DomainError(
        'GROUP_IN_USE',
        `${tickets} ticket(s) belong to this group; move them to another group first.`,
        { details: { tickets } },
      );
    }
    await tx.people.deleteGroup(id);
    await recordAudit(tx, deps.clock, origin, {
      action: 'group.delete',
      target: { type: 'group', id, label: group.name },
      changes: changesBetween(sortedMembers(group), undefined, GROUP_AUDITED_FIELDS),
    });
  });
}
