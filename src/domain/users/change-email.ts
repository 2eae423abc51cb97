import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Repositories } from '../../ports/storage.ts';
import { isEmailAddress, normalizeEmail, type User } from './user.ts';

/** A new address as typed: trimmed, lower case, and an address (422 `USER_INVALID`, field `email`, otherwise). */
export function cleanEmail(value: string): string {
  const email = normalizeEmail(value);
  if (!isEmailAddress(email))
    throw new DomainError('USER_INVALID', `"${value}" is not an email address.`, { details: { field: 'email' } });
  return email;
}

/** The sentence of an address that belongs to someone else (409 `USER_EMAIL_TAKEN`). */
export function emailTaken(email: string): DomainError {
  return new DomainError('USER_EMAIL_TAKEN', `The address ${email} belongs to another user.`, {
    details: { field: 'email' },
  });
}

/**
 * Inside the caller's transaction: gives `user` the address `email` (already clean), audited as a change of the user
 * (`user.edit`, the field `email`). Refused for an erased person and for an address of another user; nothing is
 * written when it is already theirs. A race with another writer of the same address ends in a unique violation,
 * which the caller turns into `emailTaken`.
 */
export async function setUserEmail(
  tx: Pick<Repositories, 'people' | 'audit'>,
  deps: Pick<Deps, 'clock'>,
  origin: Origin,
  user: User,
  email: string,
): Promise<User> {
  if (user.erasedAt)
    throw new DomainError(
      'USER_ALREADY_ERASED',
      `The personal data of user ${user.id} was erased; it cannot be edited.`,
    );
  if (user.email === email) return user;
  const holder = await tx.people.findUserByEmail(email);
  if (holder && holder.id !== user.id) throw emailTaken(email);
  const after = await tx.people.updateUser(user.id, { email });
  if (!after) throw new DomainError('USER_NOT_FOUND', `There is no user ${user.id}.`);
  await recordAudit(tx, deps.clock, origin, {
    action: 'user.edit',
    target: { type: 'user', id: user.id, label: email },
    changes: [{ field: 'email', before: user.email, after: email }],
  });
  return after;
}
