import { DomainError } from '../errors.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { CannedAnswer, CannedAnswerScope } from './canned-answer.ts';

/** An answer the actor may not see answers exactly as one that does not exist. */
export function answerNotFound(id: number): DomainError {
  return new DomainError('CANNED_ANSWER_NOT_FOUND', `There is no canned answer ${id} you may use.`);
}

/** Staff only: a requester has no canned answers and sees none. */
export function requireStaff(actor: Actor): void {
  if (!actor.active || !isStaff(actor))
    throw new DomainError('FORBIDDEN', 'Canned answers are for technicians and administrators.');
}

/** A team's answers are managed by administrators; a personal answer by its owner alone. */
export function mayManage(actor: Actor, scope: CannedAnswerScope): boolean {
  if (!actor.active || !isStaff(actor)) return false;
  return scope.kind === 'team' ? actor.role === 'admin' : scope.ownerId === actor.id;
}

/** A technician uses their own personal answers and those of their teams; an administrator every team's too. */
export function mayUse(actor: Actor, answer: Pick<CannedAnswer, 'scope'>): boolean {
  if (!actor.active || !isStaff(actor)) return false;
  const { scope } = answer;
  if (scope.kind === 'personal') return scope.ownerId === actor.id;
  return actor.role === 'admin' || actor.groupIds.includes(scope.groupId);
}
