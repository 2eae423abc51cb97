import { sql, type Updateable } from 'kysely';
import type { User } from '../../../../domain/users/user.ts';
import { copiesModeOf, type CopiesMode } from '../../../../domain/notifications/mailings.ts';
import { AuthorGone, type PageRequest } from '../../../../ports/storage/common.ts';
import type {
  ActorKey,
  Group,
  NewUser,
  PeopleRepository,
  Signatures,
  UserChanges,
} from '../../../../ports/storage/people.ts';
import { bool, decodeCursor, page, toUser } from '../rows.ts';
import type { Database } from '../schema.ts';
import { SqlRepository } from '../sql-repository.ts';
import { findActor } from '../actor-query.ts';
import { eraseRequester } from '../erasure.ts';

export class SqlPeopleRepository extends SqlRepository implements PeopleRepository {
  async createUser(u: NewUser, at: string): Promise<User> {
    const row = await this.db
      .insertInto('app_user')
      .values({
        email: u.email,
        name: u.name,
        role: u.role,
        locale: u.locale,
        time_zone: u.timeZone,
        password_hash: u.passwordHash,
        active: bool(true),
        created_at: at,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toUser(row);
  }

  async findUserById(id: number) {
    const [row] = await this.prepared(
      'user-by-id',
      () => this.db.selectFrom('app_user').selectAll().where('id', '=', 0),
      [id],
    );
    return row && toUser(row);
  }

  async holdActiveUser(id: number) {
    const [row] = await this.prepared(
      'hold-active-user',
      () => {
        const query = this.db.selectFrom('app_user').select(['active', 'erased_at']).where('id', '=', 0);
        return this.ctx.dialect.locksRows ? query.forShare() : query;
      },
      [id],
    );
    if (!row?.active || row.erased_at !== null) throw new AuthorGone(id, row !== undefined && row.erased_at !== null);
  }

  /** See `findActor` in `../actor-query.ts`: one read of the user, their groups and their session or token. */
  findActor(key: ActorKey) {
    return findActor(this.ctx, key);
  }

  async findUserByEmail(email: string) {
    const row = await this.db.selectFrom('app_user').selectAll().where('email', '=', email).executeTakeFirst();
    return row && { ...toUser(row), passwordHash: row.password_hash };
  }

  async listUsers(req: PageRequest) {
    const after = decodeCursor(req.cursor);
    let q = this.db
      .selectFrom('app_user')
      .selectAll()
      .orderBy('id', 'asc')
      .limit(req.limit + 1);
    if (after) q = q.where('id', '>', after);
    return page((await q.execute()).map(toUser), req.limit);
  }

  async countUsers() {
    const r = await this.db
      .selectFrom('app_user')
      .select((eb) => eb.fn.countAll<number | string>().as('n'))
      .executeTakeFirstOrThrow();
    return Number(r.n);
  }

  async updateUser(id: number, c: UserChanges) {
    const values: Updateable<Database['app_user']> = {};
    if (c.email !== undefined) values.email = c.email;
    if (c.name !== undefined) values.name = c.name;
    if (c.role !== undefined) values.role = c.role;
    if (c.locale !== undefined) values.locale = c.locale;
    if (c.timeZone !== undefined) values.time_zone = c.timeZone;
    if (c.active !== undefined) values.active = bool(c.active);
    if (c.passwordHash !== undefined) values.password_hash = c.passwordHash;
    if (Object.keys(values).length > 0)
      await this.db.updateTable('app_user').set(values).where('id', '=', id).execute();
    const row = await this.db.selectFrom('app_user').selectAll().where('id', '=', id).executeTakeFirst();
    return row && toUser(row);
  }

  private async groupsWithMembers(
    rows: { id: number; name: string; signature: string | null; copies_mode: string; mailbox_id: number | null }[],
  ): Promise<Group[]> {
    if (rows.length === 0) return [];
    const members = await this.db
      .selectFrom('group_member')
      .select(['group_id', 'user_id'])
      .where(
        'group_id',
        'in',
        rows.map((r) => r.id),
      )
      .orderBy('user_id')
      .execute();
    return rows.map((r) => ({
      id: r.id,
      name: r.name,
      memberIds: members.filter((m) => m.group_id === r.id).map((m) => m.user_id),
      signature: r.signature ?? null,
      copiesMode: copiesModeOf(r.copies_mode),
      mailboxId: r.mailbox_id ?? null,
    }));
  }

  async createGroup(name: string): Promise<Group> {
    const row = await this.db.insertInto('support_group').values({ name }).returningAll().executeTakeFirstOrThrow();
    return {
      id: row.id,
      name: row.name,
      memberIds: [],
      signature: row.signature ?? null,
      copiesMode: copiesModeOf(row.copies_mode),
      mailboxId: row.mailbox_id ?? null,
    };
  }

  async findGroup(id: number) {
    const rows = await this.db.selectFrom('support_group').selectAll().where('id', '=', id).execute();
    return (await this.groupsWithMembers(rows))[0];
  }

  async findGroupByName(name: string) {
    const rows = await this.db.selectFrom('support_group').selectAll().where('name', '=', name).execute();
    return (await this.groupsWithMembers(rows))[0];
  }

  async listGroups() {
    const rows = await this.db.selectFrom('support_group').selectAll().orderBy('name').execute();
    return this.groupsWithMembers(rows);
  }

  async addGroupMember(groupId: number, userId: number) {
    await this.db
      .insertInto('group_member')
      .values({ group_id: groupId, user_id: userId })
      .onConflict((oc) => oc.columns(['group_id', 'user_id']).doNothing())
      .execute();
  }

  async removeGroupMember(groupId: number, userId: number) {
    await this.db.deleteFrom('group_member').where('group_id', '=', groupId).where('user_id', '=', userId).execute();
  }

  async setUserGroups(userId: number, groupIds: readonly number[]) {
    let remove = this.db.deleteFrom('group_member').where('user_id', '=', userId);
    if (groupIds.length > 0) remove = remove.where('group_id', 'not in', [...groupIds]);
    await remove.execute();
    for (const groupId of groupIds) await this.addGroupMember(groupId, userId);
  }

  async renameGroup(id: number, name: string) {
    await this.db.updateTable('support_group').set({ name }).where('id', '=', id).execute();
    return this.findGroup(id);
  }

  async deleteGroup(id: number) {
    await this.db.deleteFrom('group_member').where('group_id', '=', id).execute();
    const r = await this.db.deleteFrom('support_group').where('id', '=', id).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async listStaff() {
    const rows = await this.db
      .selectFrom('app_user')
      .selectAll()
      .where('role', 'in', ['technician', 'admin'])
      .where('active', '=', bool(true))
      .orderBy('name')
      .execute();
    const groups = await this.groupIdsOfUsers(rows.map((r) => r.id));
    return rows.map((r) => ({ ...toUser(r), groupIds: groups.get(r.id) ?? [] }));
  }

  async groupIdsOfUser(userId: number) {
    const rows = await this.db.selectFrom('group_member').select('group_id').where('user_id', '=', userId).execute();
    return rows.map((r) => r.group_id);
  }

  async groupIdsOfUsers(userIds: readonly number[]) {
    const result = new Map<number, number[]>(userIds.map((id) => [id, []]));
    if (userIds.length === 0) return result;
    const rows = await this.db
      .selectFrom('group_member')
      .select(['user_id', 'group_id'])
      .where('user_id', 'in', userIds as number[])
      .orderBy('group_id')
      .execute();
    for (const r of rows) result.get(r.user_id)?.push(r.group_id);
    return result;
  }

  async staffOfGroup(groupId: number) {
    const rows = await this.db
      .selectFrom('app_user')
      .innerJoin('group_member', 'group_member.user_id', 'app_user.id')
      .selectAll('app_user')
      .where('group_member.group_id', '=', groupId)
      .where('app_user.role', 'in', ['technician', 'admin'])
      .where('app_user.active', '=', bool(true))
      .orderBy('app_user.id')
      .execute();
    return rows.map(toUser);
  }

  async userSignature(userId: number) {
    const row = await this.db.selectFrom('app_user').select('signature').where('id', '=', userId).executeTakeFirst();
    return row && (row.signature ?? null);
  }

  async setUserSignature(userId: number, signature: string | null) {
    const r = await this.db.updateTable('app_user').set({ signature }).where('id', '=', userId).executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async setGroupSignature(groupId: number, signature: string | null) {
    await this.db.updateTable('support_group').set({ signature }).where('id', '=', groupId).execute();
    return this.findGroup(groupId);
  }

  async setGroupCopiesMode(groupId: number, mode: CopiesMode) {
    const r = await this.db
      .updateTable('support_group')
      .set({ copies_mode: mode })
      .where('id', '=', groupId)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** One prepared read of both (scalar subqueries: a missing id, user or group is null). */
  async signaturesFor(userId: number | null, groupId: number | null): Promise<Signatures> {
    const [row] = await this.prepared<{ user_signature: string | null; group_signature: string | null }>(
      'signatures-for',
      () => ({
        compile: () =>
          sql<{ user_signature: string | null; group_signature: string | null }>`select
            (select signature from app_user where id = ${0}) as user_signature,
            (select signature from support_group where id = ${0}) as group_signature`.compile(this.db),
      }),
      [userId, groupId],
    );
    return { user: row?.user_signature ?? null, group: row?.group_signature ?? null };
  }

  eraseRequester(id: number, pseudonym: { name: string; email: string }, at: string) {
    return eraseRequester(this.ctx, id, pseudonym, at);
  }
}
