import type { Selectable } from 'kysely';
import type { AuditAction, AuditEntry, AuditTarget, NewAuditEntry } from '../../../../domain/audit/audit-entry.ts';
import type { AuditFilter, AuditRepository } from '../../../../ports/storage/audit.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import { decodeCursor, page } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';

function toAuditEntry(r: Selectable<Database['audit_entry']>): AuditEntry {
  return {
    id: r.id,
    at: r.at,
    actorId: r.actor_id,
    actorName: r.actor_name,
    actorEmail: r.actor_email,
    address: r.address,
    action: r.action as AuditAction,
    targetType: r.target_type as AuditTarget,
    targetId: r.target_id,
    targetLabel: r.target_label,
    changes: JSON.parse(r.changes) as AuditEntry['changes'],
  };
}

export class SqlAuditRepository extends SqlRepository implements AuditRepository {
  async recordAudit(e: NewAuditEntry) {
    await this.db
      .insertInto('audit_entry')
      .values({
        at: e.at,
        actor_id: e.actorId,
        actor_name: e.actorName,
        actor_email: e.actorEmail,
        address: e.address,
        action: e.action,
        target_type: e.targetType,
        target_id: e.targetId,
        target_label: e.targetLabel,
        changes: JSON.stringify(e.changes),
      })
      .execute();
  }

  async listAudit(f: AuditFilter, req: PageRequest) {
    const before = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('audit_entry')
      .selectAll()
      .orderBy('id', 'desc')
      .limit(req.limit + 1);
    if (before) q = q.where('id', '<', before);
    if (f.actorId !== undefined) q = q.where('actor_id', '=', f.actorId);
    if (f.actorEmail !== undefined) q = q.where('actor_email', '=', f.actorEmail);
    if (f.action !== undefined) q = q.where('action', '=', f.action);
    if (f.targetType !== undefined) q = q.where('target_type', '=', f.targetType);
    if (f.targetId !== undefined) q = q.where('target_id', '=', f.targetId);
    if (f.from !== undefined) q = q.where('at', '>=', f.from);
    if (f.to !== undefined) q = q.where('at', '<', f.to);
    return page((await q.execute()).map(toAuditEntry), req.limit);
  }

  async eraseAuditOf(userId: number, pseudonym: { name: string; email: string }) {
    await this.db
      .updateTable('audit_entry')
      .set({ actor_name: pseudonym.name, actor_email: pseudonym.email })
      .where('actor_id', '=', userId)
      .execute();
    const about = await this.db
      .selectFrom('audit_entry')
      .select(['id', 'changes'])
      .where('target_type', '=', 'user')
      .where('target_id', '=', String(userId))
      .execute();
    for (const row of about) {
      const changes = (JSON.parse(row.changes) as AuditEntry['changes']).map((c) => ({
        field: c.field,
        withheld: 'erased' as const,
      }));
      await this.db
        .updateTable('audit_entry')
        .set({ target_label: pseudonym.email, changes: JSON.stringify(changes) })
        .where('id', '=', row.id)
        .execute();
    }
  }

  async pruneAudit(before: string, batch: number) {
    const oldest = this.db.selectFrom('audit_entry').select('id').where('at', '<', before).orderBy('id').limit(batch);
    const r = await this.db.deleteFrom('audit_entry').where('id', 'in', oldest).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
