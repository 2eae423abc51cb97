import { sql, type Selectable } from 'kysely';
import type { AuditAction, AuditEntry, AuditTarget, NewAuditEntry } from '../../../../domain/audit/audit-entry.ts';
import type { AuditFilter, AuditRepository } from '../../../../ports/storage/audit.ts';
import type { PageRequest } from '../../../../ports/storage/common.ts';
import { decodeCursor, page } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';
import { valueNamesAddress } from '../erasure-text.ts';

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

  async recordedEmailsOf(userId: number) {
    const emailsIn = (rows: { changes: string }[]) =>
      rows.flatMap((r) =>
        (JSON.parse(r.changes) as AuditEntry['changes'])
          .filter((c) => c.field === 'email')
          .flatMap((c) => [c.before, c.after])
          .flatMap((v) => (typeof v === 'string' ? [v.toLowerCase()] : [])),
      );
    const aboutUsers = this.db
      .selectFrom('audit_entry')
      .select('changes')
      .where('target_type', '=', 'user')
      .where('changes', 'like', '%"field":"email"%');
    const theirs = [...new Set(emailsIn(await aboutUsers.where('target_id', '=', String(userId)).execute()))];
    if (theirs.length === 0) return [];
    // An address someone else had too (before or after them) is not theirs alone: what was sent from it may not be.
    const others = await aboutUsers
      .where('target_id', '!=', String(userId))
      .where((eb) => eb.or(theirs.map((a) => eb(sql`lower(changes)`, 'like', `%${a}%`))))
      .execute();
    const shared = new Set(emailsIn(others));
    return theirs.filter((a) => !shared.has(a));
  }

  async recordedNamesOf(userId: number) {
    const rows = await this.db
      .selectFrom('audit_entry')
      .select('changes')
      .where('target_type', '=', 'user')
      .where('target_id', '=', String(userId))
      .where('changes', 'like', '%"field":"name"%')
      .execute();
    const names = rows.flatMap((r) =>
      (JSON.parse(r.changes) as AuditEntry['changes'])
        .filter((c) => c.field === 'name')
        .flatMap((c) => [c.before, c.after])
        .flatMap((v) => (typeof v === 'string' && v.trim() !== '' ? [v] : [])),
    );
    return [...new Set(names)];
  }

  async eraseAuditOf(userId: number, erased: Parameters<AuditRepository['eraseAuditOf']>[1]) {
    const { name, email } = erased;
    const formers = erased.formerEmails.map((a) => a.toLowerCase());
    const outboxIds = erased.outboxIds.map(String);
    // What they did: their name, address and client address go; the labels of their own API tokens too.
    await this.db
      .updateTable('audit_entry')
      .set({ actor_name: name, actor_email: email, address: 'erased' })
      .where('actor_id', '=', userId)
      .execute();
    // Entries naming them: about them as a user, about their tokens and mails, or carrying one of their addresses.
    const rows = await this.db
      .selectFrom('audit_entry')
      .select(['id', 'actor_id', 'target_type', 'target_id', 'target_label', 'changes'])
      .where((eb) =>
        eb.or([
          eb('actor_id', '=', userId),
          eb.and([eb('target_type', '=', 'user'), eb('target_id', '=', String(userId))]),
          eb('target_type', '=', 'api-token'),
          ...(outboxIds.length > 0
            ? [eb.and([eb('target_type', '=', 'outbox-entry'), eb('target_id', 'in', outboxIds)])]
            : []),
          ...(formers.length > 0 ? [eb(sql`lower(target_label)`, 'in', formers)] : []),
          // `%` and `_` in an address only widen the match; the entries are checked one by one below.
          ...formers.map((a) => eb(sql`lower(changes)`, 'like', `%${a}%`)),
        ]),
      )
      .execute();
    for (const row of rows) {
      const changes = JSON.parse(row.changes) as AuditEntry['changes'];
      const aboutThem = row.target_type === 'user' && row.target_id === String(userId);
      const theirToken =
        row.target_type === 'api-token' &&
        // Made (`after`) or revoked (`before`) by anyone: the change names the user the token was of.
        (row.actor_id === userId ||
          changes.some((c) => c.field === 'userId' && (c.before === userId || c.after === userId)));
      const toThem = row.target_type === 'outbox-entry' && outboxIds.includes(row.target_id ?? '');
      const theirLabel = formers.includes(row.target_label?.toLowerCase() ?? '');
      // A whole address only: erasing ann@example.com leaves joann@example.com's entries alone.
      const mentions = (c: AuditEntry['changes'][number]) => valueNamesAddress(c, formers);
      if (!aboutThem && !theirToken && !toThem && !theirLabel && !changes.some(mentions)) continue;
      const label = theirToken ? null : aboutThem || toThem ? email : row.target_label;
      await this.db
        .updateTable('audit_entry')
        .set({
          target_label: theirLabel ? email : label,
          changes: JSON.stringify(
            changes.map((c) => (aboutThem || mentions(c) ? { field: c.field, withheld: 'erased' as const } : c)),
          ),
        })
        .where('id', '=', row.id)
        .execute();
    }
  }

  async pruneAudit(before: string, batch: number) {
    // Kept: each erasure's record, and the address and name changes of a user not erased (not their creation: a
    // change records the address and name it replaced).
    const oldest = this.db
      .selectFrom('audit_entry')
      .select('id')
      .where('at', '<', before)
      .where('action', '<>', 'user.erase')
      .where((eb) =>
        eb.not(
          eb.and([
            eb('target_type', '=', 'user'),
            eb('action', '<>', 'user.create'),
            eb.or([eb('changes', 'like', '%"field":"email"%'), eb('changes', 'like', '%"field":"name"%')]),
            // `exists`, never null: an unknown in `not (…)` would keep the entry.
            eb.exists(
              eb
                .selectFrom('app_user')
                .select('app_user.id')
                .where('app_user.erased_at', 'is', null)
                .where(sql`cast(app_user.id as text)`, '=', eb.ref('audit_entry.target_id')),
            ),
          ]),
        ),
      )
      .orderBy('id')
      .limit(batch);
    const r = await this.db.deleteFrom('audit_entry').where('id', 'in', oldest).executeTakeFirst();
    return Number(r.numDeletedRows);
  }
}
