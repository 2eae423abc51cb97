import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { normalizeEmail, type Actor } from './user.ts';
import { loadActor } from './authentication.ts';

let dummyHash: Promise<string> | undefined;

/** Checks a password. An unknown email costs the same hash work as a wrong password, so neither can be told apart. */
export async function verifyCredentials(
  deps: Pick<Deps, 'hasher'> & { storage: StorageOf<'people'> },
  email: string,
  password: string,
): Promise<Actor> {
  const user = await deps.storage.people.findUserByEmail(normalizeEmail(email));
  dummyHash ??= deps.hasher.hash('parley-timing-equaliser');
  const ok = await deps.hasher.verify(password, user?.passwordHash ?? (await dummyHash));
  const actor = ok && user?.passwordHash ? await loadActor(deps.storage, user.id) : undefined;
  if (!actor) throw new DomainError('AUTH_INVALID_CREDENTIALS', 'The email or password is not correct.');
  return actor;
}
