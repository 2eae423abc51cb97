import type { Uses } from '../../ports/storage.ts';

export interface CredentialsEnded {
  sessionsEnded: number;
  tokensRevoked: number;
}

/**
 * Ends a user's other ways in: every session but the digest `keepSessionHash`, and the API tokens unless kept. Run
 * inside the transaction that changes the password or deactivates the user, so both happen or neither. Ended
 * sessions and tokens are removed, not flagged, so nothing can bring them back (reactivating a user included).
 */
export async function endCredentials(
  tx: Uses<{ sessions: 'deleteSessionsOfUser' | 'deleteApiTokensOfUser' }>,
  userId: number,
  options: { keepSessionHash?: string | null; keepTokens?: boolean },
): Promise<CredentialsEnded> {
  const sessionsEnded = await tx.sessions.deleteSessionsOfUser(userId, options.keepSessionHash ?? null);
  const tokensRevoked = options.keepTokens ? 0 : await tx.sessions.deleteApiTokensOfUser(userId);
  return { sessionsEnded, tokensRevoked };
}
