import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';

/** Revokes one token of a user: it stops working at once (every process, every cache). */
export async function revokeApiToken(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  userId: number,
  tokenId: number,
): Promise<void> {
  await deps.storage.transaction(async (tx) => {
    const token = (await tx.sessions.listApiTokens(userId)).find((t) => t.id === tokenId);
    if (!token || !(await tx.sessions.deleteApiToken(userId, tokenId)))
      throw new DomainError('TOKEN_NOT_FOUND', 'There is no such API token (it may have been revoked already).');
    await recordAudit(tx, deps.clock, origin, {
      action: 'token.revoke',
      target: { type: 'api-token', id: tokenId, label: token.name },
      changes: [{ field: 'userId', before: userId }],
    });
  });
}
