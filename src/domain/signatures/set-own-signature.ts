import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { staffOnly, validateSignature } from './signature.ts';

/**
 * A technician or administrator sets their own signature (null or blank removes it): its keys are checked as a
 * template's are, so an unknown key is refused naming it. Requesters have no signature (FORBIDDEN).
 */
export async function setOwnSignature(
  deps: { storage: StorageOf<'people'> },
  actor: Actor,
  input: { signature: string | null },
): Promise<{ signature: string | null }> {
  if (!isStaff(actor)) throw staffOnly();
  const signature = validateSignature(input.signature);
  if (!(await deps.storage.people.setUserSignature(actor.id, signature)))
    throw new DomainError('USER_NOT_FOUND', 'Your account no longer exists.');
  return { signature };
}
