import { DomainError } from '../errors.ts';
import { UniqueViolation, type Group, type UserChanges } from '../../ports/storage.ts';
import { isLocale, isTimeZone } from '../locale.ts';
import type { User } from './user.ts';

/** The fields of a user their audit entries compare (with `groupIds`; a password is named as changed only). */
export const USER_AUDITED_FIELDS = [
  'email',
  'name',
  'role',
  'locale',
  'timeZone',
  'active',
  'groupIds',
] as const satisfies readonly (keyof (User & { groupIds: number[] }))[];

export const GROUP_AUDITED_FIELDS = ['name', 'memberIds', 'copiesMode'] as const satisfies readonly (keyof Group)[];

/** A group with its members in order, for the audit log to compare. */
export function sortedMembers(group: Group): Group {
  return { ...group, memberIds: [...group.memberIds].sort((a, b) => a - b) };
}

/** Two requests creating the same thing at once: the loser gets the same conflict as if it had come second. */
export async function onConflict<T>(conflict: () => DomainError, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof UniqueViolation) throw conflict();
    throw error;
  }
}

export function validatePreferences(input: {
  locale?: string;
  timeZone?: string;
}): Pick<UserChanges, 'locale' | 'timeZone'> {
  const changes: Pick<UserChanges, 'locale' | 'timeZone'> = {};
  if (input.locale !== undefined) {
    if (!isLocale(input.locale))
      throw new DomainError('USER_INVALID', 'Locale must be en-US, pt-BR or es-ES.', { details: { field: 'locale' } });
    changes.locale = input.locale;
  }
  if (input.timeZone !== undefined) {
    if (!isTimeZone(input.timeZone))
      throw new DomainError('USER_INVALID', `"${input.timeZone}" is not a known time zone.`, {
        details: { field: 'timeZone' },
      });
    changes.timeZone = input.timeZone;
  }
  return changes;
}

export function cleanGroupName(value: string): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError('VALIDATION_FAILED', 'A group name must be 1 to 120 characters on one line.', {
      details: { field: 'name' },
    });
  }
  return name;
}
