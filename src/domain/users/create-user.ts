import type { Origin } from '../audit/audit-entry.ts';
import { changesBetween, recordAudit, secretChange } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { onConflict, USER_AUDITED_FIELDS } from './user-admin-helpers.ts';
import { validateNewUser, type NewUserInput, type User } from './user.ts';

export async function createUser(
  deps: Pick<Deps, 'clock' | 'hasher'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  input: NewUserInput,
): Promise<User> {
  const clean = validateNewUser(input);
  const passwordHash = input.password ? await deps.hasher.hash(input.password) : null;
  const taken = () =>
    new DomainError('USER_EMAIL_TAKEN', `A user with the email ${clean.email} already exists.`, {
      details: { field: 'email' },
    });
  return onConflict(taken, () =>
    deps.storage.transaction(async (tx) => {
      if (await tx.people.findUserByEmail(clean.email)) throw taken();
      for (const gid of input.groupIds ?? []) {
        if (!(await tx.people.findGroup(gid)))
          throw new DomainError('USER_INVALID', `There is no group ${gid}.`, { details: { field: 'groupIds' } });
      }
      const user = await tx.people.createUser({ ...clean, passwordHash }, deps.clock.now().toISOString());
      for (const gid of input.groupIds ?? []) await tx.people.addGroupMember(gid, user.id);
      const groupIds = (await tx.people.groupIdsOfUser(user.id)).sort((a, b) => a - b);
      const changes = changesBetween(undefined, { ...user, groupIds }, USER_AUDITED_FIELDS);
      if (passwordHash) changes.push(secretChange('password'));
      await recordAudit(tx, deps.clock, origin, {
        action: 'user.create',
        target: { type: 'user', id: user.id, label: user.email },
        changes,
      });
      return user;
    }),
  );
}
