import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Group } from '../../ports/storage.ts';
import { validateSignature } from './signature.ts';

/**
 * An administrator sets a group's (team's) signature, the one its mails carry when their author has none (null or
 * blank removes it); checked as a person's signature is, and audited as a change of the group (`signature`).
 */
export async function setGroupSignature(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  id: number,
  input: { signature: string | null },
): Promise<Group> {
  const signature = validateSignature(input.signature);
  return deps.storage.transaction(async (tx) => {
    const group = await tx.people.findGroup(id);
    if (!group) throw new DomainError('GROUP_NOT_FOUND', `There is no group ${id}.`);
    const saved = (await tx.people.setGroupSignature(id, signature))!;
    const changes = changesBetween(group, saved, ['signature']);
    if (changes.length > 0)
      await recordAudit(tx, deps.clock, origin, {
        action: 'group.edit',
        target: { type: 'group', id, label: saved.name },
        changes,
      });
    return saved;
  });
}
