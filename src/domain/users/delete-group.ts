import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';

/** Deletes a group nobody's tickets belong to any more. */
export async function deleteGroup(deps: { storage: StorageOf<'transaction'> }, id: number): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    if (!(await tx.people.findGroup(id))) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
    const tickets = await tx.tickets.countTicketsOfGroup(id);
    if (tickets > 0) {
      throw new DomainError(
        'GROUP_IN_USE',
        `${tickets} ticket(s) belong to this group; move them to another group first.`,
        { details: { tickets } },
      );
    }
    await tx.people.deleteGroup(id);
  });
}
