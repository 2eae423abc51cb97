import type { Origin } from '../audit/audit-entry.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { onConflict } from './user-admin-helpers.ts';
import { cleanEmail, emailTaken, setUserEmail } from './change-email.ts';
import type { Actor, User } from './user.ts';

/**
 * A signed-in user changes their own email address, giving their current password: checked as an address, unique
 * (409 with a sentence when another user has it), audited as a change of the user. Mail queued from now on goes to
 * the new address; mail already queued keeps the address it was queued for.
 */
export async function changeOwnEmail(
  deps: Pick<Deps, 'clock' | 'hasher'> & { storage: StorageOf<'people' | 'transaction'> },
  origin: Origin,
  actor: Actor,
  input: { currentPassword: string; email: string },
): Promise<User> {
  const email = cleanEmail(input.email); // before the check: a refused address is not a wrong guess
  const user = await deps.storage.people.findUserByEmail(actor.email);
  const ok = user?.passwordHash ? await deps.hasher.verify(input.currentPassword, user.passwordHash) : false;
  if (!user || !ok)
    throw new DomainError('PASSWORD_INCORRECT', 'The current password is not correct.', {
      details: { field: 'currentPassword' },
    });
  return onConflict(
    () => emailTaken(email),
    () =>
      deps.storage.transaction(async (tx) => {
        const current = await tx.people.findUserById(actor.id);
        if (!current) throw new DomainError('USER_NOT_FOUND', `There is no user ${actor.id}.`);
        return setUserEmail(tx, deps, origin, current, email);
      }),
  );
}
