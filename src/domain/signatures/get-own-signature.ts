import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { isStaff, type Actor } from '../users/user.ts';
import { staffOnly } from './signature.ts';

/** A technician's or administrator's own signature (null: none); a requester has none and gets FORBIDDEN. */
export async function getOwnSignature(
  deps: { storage: StorageOf<'people'> },
  actor: Actor,
): Promise<{ signature: string | null }> {
  if (!isStaff(actor)) throw staffOnly();
  const signature = await deps.storage.people.userSignature(actor.id);
  if (signature === undefined) throw new DomainError('USER_NOT_FOUND', 'Your account no longer exists.');
  return { signature };
}
