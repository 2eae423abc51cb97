import type { Clock } from '../../ports/clock.ts';
import type { Uses } from '../../ports/storage.ts';
import {
  MAX_AUDIT_TEXT,
  type AuditAction,
  type AuditChange,
  type AuditTarget,
  type AuditValue,
  type Origin,
} from './audit-entry.ts';

export interface AuditFact {
  action: AuditAction;
  target: { type: AuditTarget; id?: number | string | null; label?: string | null };
  changes?: AuditChange[];
}

function same(a: AuditValue | undefined, b: AuditValue | undefined): boolean {
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function long(v: AuditValue | undefined): boolean {
  return typeof v === 'string' && v.length > MAX_AUDIT_TEXT;
}

/** One field's change, or none when the value did not change; a long text is named, not copied. */
export function changeOf(field: string, before: AuditValue | undefined, after: AuditValue | undefined): AuditChange[] {
  if (same(before, after)) return [];
  if (long(before) || long(after)) return [{ field, withheld: 'long' }];
  return [{ field, ...(before === undefined ? {} : { before }), ...(after === undefined ? {} : { after }) }];
}

/** The fields that differ between two records (`fields` names which, in order). */
export function changesBetween<T extends object>(
  before: Partial<T> | undefined,
  after: Partial<T> | undefined,
  fields: readonly (keyof T & string)[],
): AuditChange[] {
  return fields.flatMap((f) =>
    changeOf(f, before?.[f] as AuditValue | undefined, after?.[f] as AuditValue | undefined),
  );
}

/** A secret that was set, changed or removed: named, its value never kept. */
export function secretChange(field: string): AuditChange {
  return { field, withheld: 'secret' };
}

/**
 * Writes the audit entry of a change. Called by the use case with the repositories of the transaction that makes
 * the change, so the entry is stored with it or not at all.
 */
export async function recordAudit(
  repos: Uses<{ audit: 'recordAudit' }>,
  clock: Clock,
  origin: Origin,
  fact: AuditFact,
): Promise<void> {
  await repos.audit.recordAudit({
    at: clock.now().toISOString(),
    actorId: origin.actor?.id ?? null,
    actorName: origin.actor?.name ?? null,
    actorEmail: origin.actor?.email ?? null,
    address: origin.address.slice(0, 100),
    action: fact.action,
    targetType: fact.target.type,
    targetId: fact.target.id == null ? null : String(fact.target.id),
    targetLabel: fact.target.label ?? null,
    changes: fact.changes ?? [],
  });
}
