import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import type { Actor } from '../users/user.ts';
import { answerNotFound, mayManage, requireStaff } from './canned-answer-access.ts';

export async function deleteCannedAnswer(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  actor: Actor,
  id: number,
): Promise<void> {
  requireStaff(actor);
  await deps.storage.transaction(async (tx) => {
    const current = await tx.cannedAnswers.findCannedAnswer(id);
    if (!current || !mayManage(actor, current.scope)) throw answerNotFound(id);
    await tx.cannedAnswers.deleteCannedAnswer(id);
    await recordAudit(tx, deps.clock, origin, {
      action: 'canned-answer.delete',
      target: { type: 'canned-answer', id, label: current.name },
    });
  });
}
