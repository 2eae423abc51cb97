import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import {
  auditedChanges,
  auditedFieldsOf,
  validateCannedAnswer,
  type CannedAnswer,
  type CannedAnswerInput,
} from './canned-answer.ts';
import { mayManage, requireStaff } from './canned-answer-access.ts';

/**
 * Saves a new answer: a team's (`groupId`, administrators only) or the actor's own (no `groupId`). Every variant's
 * keys are checked first; the answer, its variants and the audit entry are written in one transaction.
 */
export async function createCannedAnswer(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  actor: Actor,
  input: CannedAnswerInput & { groupId?: number | null },
): Promise<CannedAnswer> {
  requireStaff(actor);
  const scope =
    input.groupId != null
      ? ({ kind: 'team', groupId: input.groupId } as const)
      : ({ kind: 'personal', ownerId: actor.id } as const);
  if (!mayManage(actor, scope))
    throw new DomainError('FORBIDDEN', "Only administrators manage a team's canned answers.");
  const row = validateCannedAnswer(input, scope);
  return deps.storage.transaction(async (tx) => {
    if (scope.kind === 'team' && !(await tx.people.findGroup(scope.groupId)))
      throw new DomainError('GROUP_NOT_FOUND', `There is no team ${scope.groupId}.`, { details: { field: 'groupId' } });
    const answer = await tx.cannedAnswers.createCannedAnswer(row, deps.clock.now().toISOString());
    const fields = auditedFieldsOf(row);
    await recordAudit(tx, deps.clock, origin, {
      action: 'canned-answer.create',
      target: { type: 'canned-answer', id: answer.id, label: answer.name },
      changes: auditedChanges(changesBetween(undefined, fields, Object.keys(fields)), row.scope),
    });
    return answer;
  });
}
