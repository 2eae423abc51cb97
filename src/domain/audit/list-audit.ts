import type { AuditFilter, Page } from '../../ports/storage.ts';
import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { AuditEntry } from './audit-entry.ts';

/** The audit log, newest first, a page at a time (administrators only: the route says so). */
export async function listAudit(
  deps: { storage: StorageOf<'audit'> },
  filter: AuditFilter,
  page: { cursor?: string | null; limit?: number },
): Promise<Page<AuditEntry>> {
  const clean: AuditFilter = { ...filter };
  for (const key of ['from', 'to'] as const) {
    const value = filter[key];
    if (value === undefined) continue;
    const time = new Date(value);
    if (Number.isNaN(time.getTime()))
      throw new DomainError('VALIDATION_FAILED', `"${value}" is not a date and time.`, { details: { field: key } });
    clean[key] = time.toISOString();
  }
  if (filter.actorEmail !== undefined) clean.actorEmail = filter.actorEmail.trim().toLowerCase();
  return deps.storage.audit.listAudit(clean, { cursor: page.cursor ?? null, limit: page.limit ?? 50 });
}
