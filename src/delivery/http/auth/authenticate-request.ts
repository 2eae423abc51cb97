import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Deps } from '../../../domain/deps.ts';
import { DomainError } from '../../../domain/errors.ts';
import { resolveApiToken } from '../../../domain/users/resolve-api-token.ts';
import { resolveSession } from '../../../domain/users/resolve-session.ts';
import { tokenAllows } from '../../../domain/users/api-token.ts';
import type { Actor, Role } from '../../../domain/users/user.ts';

export const SESSION_COOKIE = 'parley_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

declare module 'fastify' {
  interface FastifyRequest {
    actor: Actor | null;
    sessionToken: string | null;
    /** The digest of the API token the request came with, if any. */
    apiTokenHash: string | null;
  }
}

/**
 * Finds who is calling: `Authorization: Bearer <token>`, or the session cookie. A cookie-authenticated request that
 * changes something must carry the session's CSRF token in `X-CSRF-Token` (the cookie is also SameSite=Lax).
 */
export function authenticateRequest(deps: Pick<Deps, 'storage' | 'clock' | 'tokens'>) {
  return async (request: FastifyRequest) => {
    request.actor = null;
    request.sessionToken = null;
    request.apiTokenHash = null;
    const header = request.headers.authorization;
    if (header !== undefined) {
      const match = /^Bearer\s+(\S+)$/i.exec(header);
      const found = match ? await resolveApiToken(deps, match[1]!) : undefined;
      if (!found) throw new DomainError('AUTH_REQUIRED', 'The API token is not valid (unknown, revoked or expired).');
      if (!tokenAllows(found.token.scope, request.method)) {
        throw new DomainError(
          'TOKEN_READ_ONLY',
          'This API token can only read (GET); use a token with the full scope to make changes.',
        );
      }
      request.actor = found.actor;
      request.apiTokenHash = deps.tokens.digest(match![1]!);
      return;
    }
    const cookie = request.cookies[SESSION_COOKIE];
    if (!cookie) return;
    const session = await resolveSession(deps, cookie);
    if (!session) return;
    if (!SAFE_METHODS.has(request.method)) {
      const csrf = request.headers[CSRF_HEADER];
      if (typeof csrf !== 'string' || deps.tokens.digest(csrf) !== session.csrfHash) {
        throw new DomainError(
          'AUTH_CSRF_FAILED',
          'This request did not come from a Parley page (missing or wrong X-CSRF-Token).',
        );
      }
    }
    request.actor = session.actor;
    request.sessionToken = cookie;
  };
}

/** The signed-in actor, or 401. */
export function actorOf(request: FastifyRequest): Actor {
  if (!request.actor) throw new DomainError('AUTH_REQUIRED', 'Sign in first.');
  return request.actor;
}

/** onRequest hook for routes limited to some roles (runs before the body is validated): signed out → 401, wrong role → 403. */
export function requireRole(...roles: Role[]) {
  return async (request: FastifyRequest, _reply: FastifyReply) => {
    const actor = actorOf(request);
    if (!roles.includes(actor.role)) throw new DomainError('FORBIDDEN', 'You do not have permission to do this.');
  };
}

export const signedIn = requireRole('requester', 'technician', 'admin');
