import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { visibleTicket } from '../tickets/ticket-access.ts';
import type { Actor } from '../users/user.ts';
import type { CannedAnswer } from './canned-answer.ts';
import { requireStaff } from './canned-answer-access.ts';

/** Lower case, accents folded: "não" is found by "nao", "Contraseña" by "contrasena". */
export function foldForSearch(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();
}

/** The answers a page manages: the actor's personal ones, or (administrators) every team's. */
export async function listManagedAnswers(
  deps: { storage: StorageOf<'cannedAnswers'> },
  actor: Actor,
  kind: 'personal' | 'team',
): Promise<CannedAnswer[]> {
  requireStaff(actor);
  if (kind === 'team') {
    if (actor.role !== 'admin')
      throw new DomainError('FORBIDDEN', "Only administrators manage a team's canned answers.");
    return deps.storage.cannedAnswers.listCannedAnswers({ groupIds: 'all' });
  }
  return deps.storage.cannedAnswers.listCannedAnswers({ ownerId: actor.id });
}

/**
 * The answers the composer offers on a ticket the actor may see: their personal ones and their teams' (an
 * administrator: every team's), those whose name holds every word of `search` (case and accents aside).
 */
export async function listUsableAnswers(
  deps: { storage: StorageOf<'cannedAnswers' | 'tickets'> },
  actor: Actor,
  ticketNumber: number,
  search = '',
): Promise<CannedAnswer[]> {
  requireStaff(actor);
  await visibleTicket(deps.storage, actor, ticketNumber);
  const answers = await deps.storage.cannedAnswers.listCannedAnswers({
    ownerId: actor.id,
    groupIds: actor.role === 'admin' ? 'all' : actor.groupIds,
  });
  const words = foldForSearch(search).split(/\s+/).filter(Boolean);
  if (words.length === 0) return answers;
  return answers.filter((a) => {
    const name = foldForSearch(a.name);
    return words.every((w) => name.includes(w));
  });
}
