import type { ApiToken, NewApiToken } from '../../domain/users/api-token.ts';

export interface Session {
  userId: number;
  csrfHash: string;
  expiresAt: string;
}

/** Browser sessions and API tokens; only digests of their secrets are stored. */
export interface SessionRepository {
  createSession(idHash: string, session: Session, at: string): Promise<void>;
  findSession(idHash: string): Promise<Session | undefined>;
  deleteSession(idHash: string): Promise<void>;
  deleteExpiredSessions(now: string): Promise<number>;
  /** Ends every session of a user but the one whose digest is `exceptHash`; returns how many ended. */
  deleteSessionsOfUser(userId: number, exceptHash: string | null): Promise<number>;
  createApiToken(tokenHash: string, token: NewApiToken, at: string): Promise<number>;
  findApiTokenUser(tokenHash: string): Promise<number | undefined>;
  /** A user's API tokens (never their digests), newest first. */
  listApiTokens(userId: number): Promise<ApiToken[]>;
  /** Revokes (removes) one token of a user; false when the user has no such token. */
  deleteApiToken(userId: number, id: number): Promise<boolean>;
  /** Revokes every token of a user; returns how many. */
  deleteApiTokensOfUser(userId: number): Promise<number>;
  /**
   * Records that a token was used at `at`, unless its last use was recorded after `notBefore` (a write at most once
   * a minute per token, whatever the traffic). Moves no cache: who the token is does not change.
   */
  touchApiToken(id: number, at: string, notBefore: string): Promise<void>;
}
