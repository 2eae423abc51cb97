import type { NewApiToken } from '../../../../domain/users/api-token.ts';
import type { Session, SessionRepository } from '../../../../ports/storage/sessions.ts';
import { toApiToken } from '../rows.ts';
import { SqlRepository } from '../sql-repository.ts';

export class SqlSessionRepository extends SqlRepository implements SessionRepository {
  async createSession(idHash: string, s: Session, at: string) {
    await this.db
      .insertInto('user_session')
      .values({ id_hash: idHash, user_id: s.userId, csrf_hash: s.csrfHash, created_at: at, expires_at: s.expiresAt })
      .execute();
  }

  async findSession(idHash: string) {
    const r = await this.db.selectFrom('user_session').selectAll().where('id_hash', '=', idHash).executeTakeFirst();
    return r && { userId: r.user_id, csrfHash: r.csrf_hash, expiresAt: r.expires_at };
  }

  async deleteSession(idHash: string) {
    await this.db.deleteFrom('user_session').where('id_hash', '=', idHash).execute();
  }

  async deleteExpiredSessions(now: string) {
    const r = await this.db.deleteFrom('user_session').where('expires_at', '<', now).executeTakeFirst();
    return Number(r.numDeletedRows);
  }

  async deleteSessionsOfUser(userId: number, exceptHash: string | null) {
    let q = this.db.deleteFrom('user_session').where('user_id', '=', userId);
    if (exceptHash !== null) q = q.where('id_hash', '<>', exceptHash);
    return Number((await q.executeTakeFirst()).numDeletedRows);
  }

  async createApiToken(tokenHash: string, t: NewApiToken, at: string) {
    const { id } = await this.db
      .insertInto('api_token')
      .values({
        token_hash: tokenHash,
        user_id: t.userId,
        name: t.name,
        scope: t.scope,
        expires_at: t.expiresAt,
        created_at: at,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    return id;
  }

  async listApiTokens(userId: number) {
    const rows = await this.db
      .selectFrom('api_token')
      .selectAll()
      .where('user_id', '=', userId)
      .orderBy('id', 'desc')
      .execute();
    return rows.map(toApiToken);
  }

  async deleteApiToken(userId: number, id: number) {
    const r = await this.db
      .deleteFrom('api_token')
      .where('id', '=', id)
      .where('user_id', '=', userId)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async deleteApiTokensOfUser(userId: number) {
    return Number(
      (await this.db.deleteFrom('api_token').where('user_id', '=', userId).executeTakeFirst()).numDeletedRows,
    );
  }

  async touchApiToken(id: number, at: string, notBefore: string) {
    await this.db
      .updateTable('api_token')
      .set({ last_used_at: at })
      .where('id', '=', id)
      .where((eb) => eb.or([eb('last_used_at', 'is', null), eb('last_used_at', '<=', notBefore)]))
      .execute();
  }

  async findApiTokenUser(tokenHash: string) {
    const r = await this.db
      .selectFrom('api_token')
      .select('user_id')
      .where('token_hash', '=', tokenHash)
      .executeTakeFirst();
    return r?.user_id;
  }
}
