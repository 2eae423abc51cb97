import { DomainError } from '../errors.ts';
import { isLocale, isTimeZone, type Locale } from '../locale.ts';

export const ROLES = ['requester', 'technician', 'admin'] as const;
export type Role = (typeof ROLES)[number];

export interface User {
  id: number;
  email: string;
  name: string;
  role: Role;
  locale: Locale;
  timeZone: string;
  active: boolean;
  createdAt: string;
  /** When a requester's personal data was erased (`erase-requester.ts`); null for everyone else. */
  erasedAt: string | null;
  /**
   * Their own signature (null: none), when it was read with them (the actor of a request, `findActor`), so their
   * message's mails need no read of their own for `${SIGNATURE}`; absent when not read.
   */
  signature?: string | null;
}

/** The person acting on a request: a user plus the groups they belong to. */
export interface Actor extends User {
  groupIds: readonly number[];
}

export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && (ROLES as readonly string[]).includes(value);
}

export function isStaff(user: Pick<User, 'role'>): boolean {
  return user.role === 'technician' || user.role === 'admin';
}

const EMAIL =
  /^[^\s\u0000-\u001f\u007f@<>()[\]\\,;:"]+@[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)+$/;

export function isEmailAddress(value: unknown): value is string {
  return typeof value === 'string' && value.length <= 254 && EMAIL.test(value);
}

export function normalizeEmail(value: string): string {
  return value.trim().toLowerCase();
}

/** A display name: printable, one line, bounded. */
export function cleanName(
  value: string,
  what: string,
  code: 'USER_INVALID' | 'TICKET_INVALID' | 'TOKEN_INVALID' = 'USER_INVALID',
): string {
  const name = value.trim();
  if (name.length === 0 || name.length > 120 || /[\u0000-\u001f\u007f]/.test(name)) {
    throw new DomainError(code, `${what} must be 1 to 120 characters on one line.`, { details: { field: what } });
  }
  return name;
}

export interface NewUserInput {
  role: string;
  email: string;
  name: string;
  password?: string | null;
  locale?: string | null;
  timeZone?: string | null;
  groupIds?: number[];
}

export const MIN_PASSWORD_LENGTH = 10;
export const MAX_PASSWORD_LENGTH = 200;

export function validateNewUser(input: NewUserInput) {
  if (!isRole(input.role)) {
    throw new DomainError('USER_INVALID', 'Role must be requester, technician or admin.', {
      details: { field: 'role' },
    });
  }
  const email = normalizeEmail(input.email ?? '');
  if (!isEmailAddress(email)) {
    throw new DomainError('USER_INVALID', `"${input.email}" is not an email address.`, { details: { field: 'email' } });
  }
  const name = cleanName(input.name ?? '', 'name');
  const locale = input.locale ?? 'en-US';
  if (!isLocale(locale)) {
    throw new DomainError('USER_INVALID', 'Locale must be en-US, pt-BR or es-ES.', { details: { field: 'locale' } });
  }
  const timeZone = input.timeZone ?? 'UTC';
  if (!isTimeZone(timeZone)) {
    throw new DomainError('USER_INVALID', `"${timeZone}" is not a known time zone.`, {
      details: { field: 'timeZone' },
    });
  }
  if (input.password != null) validatePassword(input.password);
  return { role: input.role, email, name, locale, timeZone };
}

export function validatePassword(password: string): void {
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    throw new DomainError(
      'USER_INVALID',
      `A password must be ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters long.`,
      { details: { field: 'password' } },
    );
  }
}
