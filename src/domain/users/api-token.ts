import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { cleanName, normalizeEmail } from './user.ts';

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

function validateToken(now: Date, userId: number, input: ApiTokenInput): NewApiToken {
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

/**
 * Creates an API token for a user. The token is returned once, here; only its digest is kept. The `prl_` prefix
 * makes leaked tokens easy to scan for.
 */
export async function issueApiToken(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  userId: number,
  input: ApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const now = deps.clock.now();
  const clean = validateToken(now, userId, input);
  const token = `prl_${deps.tokens.random(32)}`;
  const at = now.toISOString();
  const id = await deps.storage.createApiToken(deps.tokens.digest(token), clean, at);
  return { token, apiToken: { id, ...clean, createdAt: at, lastUsedAt: null } };
}

/** The CLI's `parley token create`: a token for the user with this email. */
export async function createApiToken(
  deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>,
  email: string,
  input: ApiTokenInput | string = 'cli',
): Promise<{ token: string; userId: number; apiToken: ApiToken }> {
  const user = await deps.storage.findUserByEmail(normalizeEmail(email));
  if (!user) throw new DomainError('USER_NOT_FOUND', `There is no user with the email ${email}.`);
  if (!user.active)
    throw new DomainError('TOKEN_INVALID', `The user ${user.email} is deactivated; reactivate them first.`, {
      details: { field: 'email' },
    });
  const { token, apiToken } = await issueApiToken(
    deps,
    user.id,
    typeof input === 'string' ? { name: input } : { name: 'cli', ...input },
  );
  return { token, userId: user.id, apiToken };
}

/** The tokens of a user: one's own, or (administrators) anyone's. */
export async function listApiTokens(deps: Pick<Deps, 'storage'>, userId: number): Promise<ApiToken[]> {
  if (!(await deps.storage.findUserById(userId)))
    throw new DomainError('USER_NOT_FOUND', `There is no user ${userId}.`);
  return deps.storage.listApiTokens(userId);
}

/** Revokes one token of a user: it stops working at once (every process, every cache). */
export async function revokeApiToken(deps: Pick<Deps, 'storage'>, userId: number, tokenId: number): Promise<void> {
  if (!(await deps.storage.deleteApiToken(userId, tokenId)))
    throw new DomainError('TOKEN_NOT_FOUND', 'There is no such API token (it may have been revoked already).');
}

/** Whether a token of this scope may make a request with this HTTP method. */
export function tokenAllows(scope: TokenScope, method: string): boolean {
  return scope === 'full' || method === 'GET' || method === 'HEAD';
}
