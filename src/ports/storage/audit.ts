import type { AuditAction, AuditEntry, AuditTarget, NewAuditEntry } from '../../domain/audit/audit-entry.ts';
import type { Page, PageRequest } from './common.ts';

export interface AuditFilter {
  actorId?: number;
  actorEmail?: string;
  action?: AuditAction;
  targetType?: AuditTarget;
  targetId?: string;
  /** From this time (inclusive). */
  from?: string;
  /** Until this time (exclusive). */
  to?: string;
}

/** The audit log of administrative changes: written with the change, listed newest first, pruned by age. */
export interface AuditRepository {
  recordAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>>;
  /** Removes up to `batch` entries recorded before `before`, oldest first; returns how many. */
  pruneAudit(before: string, batch: number): Promise<number>;
  /**
   * An erased person leaves no name or address in the log: entries they made carry `pseudonym` as their author,
   * and the values of the changes made to them are withheld (`erased`), their label the pseudonym's address.
   */
  eraseAuditOf(userId: number, pseudonym: { name: string; email: string }): Promise<void>;
}
