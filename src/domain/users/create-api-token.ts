import type { Origin } from '../audit/audit-entry.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { ApiToken, ApiTokenInput } from './api-token.ts';
import { issueApiToken } from './issue-api-token.ts';
import { normalizeEmail } from './user.ts';

/** The CLI's `parley token create`: a token for the user with this email. */
export async function createApiToken(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'people' | 'transaction'> },
  origin: Origin,
  email: string,
  input: ApiTokenInput | string = 'cli',
): Promise<{ token: string; userId: number; apiToken: ApiToken }> {
  const user = await deps.storage.people.findUserByEmail(normalizeEmail(email));
  if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user with the email ${email}.`);
  if (!user.active)
    throw new DomainError('TOKEN_INVALID', `The user ${user.email} is deactivated; reactivate them first.`, {
      details: { field: 'email' },
    });
  const { token, apiToken } = await issueApiToken(
    deps,
    origin,
    user.id,
    typeof input === 'string' ? { name: input } : { name: 'cli', ...input },
  );
  return { token, userId: user.id, apiToken };
}
