import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { validateToken, type ApiToken, type ApiTokenInput } from './api-token.ts';

/**
 * Creates an API token for a user. The token is returned once, here; only its digest is kept (and neither reaches
 * the audit log). The `prl_` prefix makes leaked tokens easy to scan for.
 */
export async function issueApiToken(
  deps: Pick<Deps, 'clock' | 'tokens'> & { storage: StorageOf<'transaction'> },
  origin: Origin,
  userId: number,
  input: ApiTokenInput,
): Promise<{ token: string; apiToken: ApiToken }> {
  const now = deps.clock.now();
  const clean = validateToken(now, userId, input);
  const token = `prl_${deps.tokens.random(32)}`;
  const at = now.toISOString();
  return deps.storage.transaction(async (tx) => {
    const id = await tx.sessions.createApiToken(deps.tokens.digest(token), clean, at);
    await recordAudit(tx, deps.clock, origin, {
      action: 'token.create',
      target: { type: 'api-token', id, label: clean.name },
      changes: [
        { field: 'userId', after: userId },
        { field: 'scope', after: clean.scope },
        { field: 'expiresAt', after: clean.expiresAt },
      ],
    });
    return { token, apiToken: { id, ...clean, createdAt: at, lastUsedAt: null } };
  });
}
