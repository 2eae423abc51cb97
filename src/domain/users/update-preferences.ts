import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { validatePreferences } from './user-admin-helpers.ts';
import type { Actor, User } from './user.ts';

/** Anyone signed in sets their own language and time zone (the pages, dates and mails they get follow them). */
export async function updatePreferences(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'people'> },
  actor: Actor,
  input: { locale?: string; timeZone?: string },
): Promise<User> {
  const user = await deps.storage.people.updateUser(actor.id, validatePreferences(input));
  if (!user) throw new DomainError('USER_NOT_FOUND', 'Your account no longer exists.');
  return user;
}
