import type { Deps, StorageOf } from '../deps.ts';
import { PARAM } from '../parameters/parameter-catalogue.ts';
import { readParameters } from '../parameters/parameters.ts';
import { DEFAULT_AUDIT_DAYS } from './audit-entry.ts';

const DAY_MS = 86_400_000;

/**
 * Removes the audit entries older than parameter 9017's days (365 unless an administrator sets it), a batch at a
 * time until none is left, but for those an erasure needs (`AuditRepository.pruneAudit`: each erasure's record, the
 * address and name changes of a user not erased). Returns how many were removed.
 */
export async function pruneAuditLog(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'settings' | 'audit'> },
  batch = 1000,
): Promise<number> {
  const days = (await readParameters(deps.storage)).get(PARAM.AUDIT_RETENTION_DAYS);
  const keep = typeof days === 'number' && days > 0 ? days : DEFAULT_AUDIT_DAYS;
  const before = new Date(deps.clock.now().getTime() - keep * DAY_MS).toISOString();
  let removed = 0;
  for (;;) {
    const n = await deps.storage.audit.pruneAudit(before, batch);
    removed += n;
    if (n < batch) return removed;
  }
}
