import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import type { Actor } from '../users/user.ts';
import {
  auditedChanges,
  auditedFieldsOf,
  validateCannedAnswer,
  type CannedAnswer,
  type CannedAnswerInput,
} from './canned-answer.ts';
import { answerNotFound, mayManage, requireStaff } from './canned-answer-access.ts';

/** Replaces an answer's name and variants (its team or owner stays); only who may manage it may, others get 404. */
export async function updateCannedAnswer(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  actor: Actor,
  id: number,
  input: CannedAnswerInput,
): Promise<CannedAnswer> {
  requireStaff(actor);
  return deps.storage.transaction(async (tx) => {
    const current = await tx.cannedAnswers.findCannedAnswer(id);
    if (!current || !mayManage(actor, current.scope)) throw answerNotFound(id);
    const row = validateCannedAnswer(input, current.scope);
    const saved = await tx.cannedAnswers.updateCannedAnswer(id, row, deps.clock.now().toISOString());
    if (!saved) throw answerNotFound(id);
    const before = auditedFieldsOf(current);
    const after = auditedFieldsOf(row);
    const fields = [...new Set([...Object.keys(before), ...Object.keys(after)])];
    const changes = auditedChanges(changesBetween(before, after, fields), current.scope);
    if (changes.length > 0)
      await recordAudit(tx, deps.clock, origin, {
        action: 'canned-answer.update',
        target: { type: 'canned-answer', id, label: saved.name },
        changes,
      });
    return saved;
  });
}
