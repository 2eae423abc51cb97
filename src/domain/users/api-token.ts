import { DomainError } from '../errors.ts';
import { cleanName } from './user.ts';

/** `read`: GET and HEAD only; `full`: everything the user may do. */
export type TokenScope = 'read' | 'full';
export const TOKEN_SCOPES: readonly TokenScope[] = ['read', 'full'];

export interface ApiToken {
  id: number;
  userId: number;
  name: string;
  scope: TokenScope;
  createdAt: string;
  /** After this time the token no longer works; null: until revoked. */
  expiresAt: string | null;
  /** Recorded at most once a minute. */
  lastUsedAt: string | null;
}

export interface NewApiToken {
  userId: number;
  name: string;
  scope: TokenScope;
  expiresAt: string | null;
}

export interface ApiTokenInput {
  name?: string;
  scope?: string;
  /** Whole days from now; absent or null: no expiry. */
  expiresInDays?: number | null;
}

/** The longest expiry a token can be given, in days (ten years). */
export const MAX_TOKEN_DAYS = 3650;
/** A token's last use is written at most this often. */
export const TOKEN_TOUCH_MS = 60_000;

function isScope(value: unknown): value is TokenScope {
  return value === 'read' || value === 'full';
}

/** A token's fields checked and completed (its expiry from `expiresInDays`). */
export function validateToken(now: Date, userId: number, input: ApiTokenInput): NewApiToken {
  const name = cleanName(input.name ?? '', 'name', 'TOKEN_INVALID');
  const scope = input.scope ?? 'full';
  if (!isScope(scope))
    throw new DomainError('TOKEN_INVALID', 'The scope must be read (reading only) or full.', {
      details: { field: 'scope' },
    });
  const days = input.expiresInDays ?? null;
  if (days !== null && (!Number.isInteger(days) || days < 1 || days > MAX_TOKEN_DAYS)) {
    throw new DomainError('TOKEN_INVALID', `A token expires after 1 to ${MAX_TOKEN_DAYS} whole days, or never.`, {
      details: { field: 'expiresInDays' },
    });
  }
  const expiresAt = days === null ? null : new Date(now.getTime() + days * 86_400_000).toISOString();
  return { userId, name, scope, expiresAt };
}

/** Whether a token of this scope may make a request with this HTTP method. */
export function tokenAllows(scope: TokenScope, method: string): boolean {
  return scope === 'full' || method === 'GET' || method === 'HEAD';
}
