import { sql } from 'kysely';
import type { ProcessRole, RoleProcess } from '../../../../domain/processes/role-process.ts';
import type { ProcessRepository } from '../../../../ports/storage/processes.ts';
import { SqlRepository } from '../sql-repository.ts';

export class SqlProcessRepository extends SqlRepository implements ProcessRepository {
  async heartbeat(p: RoleProcess, seenAt: string) {
    await this.db
      .insertInto('role_process')
      .values({
        id: p.id,
        role: p.role,
        host: p.host,
        pid: p.pid,
        version: p.version,
        started_at: p.startedAt,
        seen_at: seenAt,
      })
      .onConflict((oc) => oc.column('id').doUpdateSet({ seen_at: seenAt }))
      .execute();
  }

  async removeProcess(id: string) {
    await this.db.deleteFrom('role_process').where('id', '=', id).execute();
  }

  async pruneProcesses(before: string) {
    const removed = await this.db.deleteFrom('role_process').where('seen_at', '<', before).returning('id').execute();
    return removed.length;
  }

  async listProcesses() {
    const rows = await this.db.selectFrom('role_process').selectAll().orderBy('started_at').orderBy('id').execute();
    return rows.map((r) => ({
      id: r.id,
      role: r.role as ProcessRole,
      host: r.host,
      pid: r.pid,
      version: r.version,
      startedAt: r.started_at,
      seenAt: r.seen_at,
    }));
  }

  async processLiveness(since: string) {
    const rows = await this.db
      .selectFrom('role_process')
      .select((eb) => [
        'role',
        sql<number>`sum(case when seen_at >= ${since} then 1 else 0 end)`.as('alive'),
        eb.fn.max('seen_at').as('last_seen_at'),
      ])
      .groupBy('role')
      .orderBy('role')
      .execute();
    return rows.map((r) => ({ role: r.role as ProcessRole, alive: Number(r.alive), lastSeenAt: r.last_seen_at }));
  }
}
