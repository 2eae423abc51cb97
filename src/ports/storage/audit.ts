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

/**
 * The audit log of administrative changes: written with the change, listed newest first, pruned by age but for what an
 * erasure needs (`pruneAudit`).
 */
export interface AuditRepository {
  recordAudit(entry: NewAuditEntry): Promise<void>;
  listAudit(filter: AuditFilter, page: PageRequest): Promise<Page<AuditEntry>>;
  /**
   * Removes up to `batch` entries recorded before `before`, oldest first; returns how many. Kept whatever their age:
   * the record of each erasure (`user.erase`, the proof it was done), and the changes of a user's address or name
   * while the user is not erased (an erasure finds their earlier addresses and names in them).
   */
  pruneAudit(before: string, batch: number): Promise<number>;
  /**
   * The addresses the log records as a user's (the `email` values of the entries about them: the one they were
   * created with, those they changed from and to), lower case, leaving out any an entry about another user records.
   */
  recordedEmailsOf(userId: number): Promise<string[]>;
  /**
   * An erased person leaves no name or address in the log: entries they made carry the pseudonym as their author and
   * no client address; entries about them (as a user, their API tokens, the mails to them in `outboxIds`) or carrying
   * one of `formerEmails` get the pseudonym's address as label (none for a token) and their values withheld
   * (`erased`).
   */
  /** The names the log records a user had (their edits' `name` changes, before and after): a mail may quote them so. */
  recordedNamesOf(userId: number): Promise<string[]>;
  eraseAuditOf(
    userId: number,
    erased: { name: string; email: string; formerEmails: readonly string[]; outboxIds: readonly number[] },
  ): Promise<void>;
}
