import { sql, type Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/** Parameter 9018, the default team (`PARAM.DEFAULT_TEAM`): the team of a ticket opened without one. */
const DEFAULT_TEAM = 9018;
/** The team an upgrade creates when tickets have none and no default team is named (documented in the README). */
const UPGRADE_TEAM_NAME = 'Service desk';

/**
 * The life of a ticket: `ticket_event` records who changed a ticket's status, team, responsible or copies, when,
 * from what to what (ids and statuses only, never a person's name: the thread names them as they are now, so an
 * erased requester stays erased there too). And every ticket in a queue: tickets without a team move to the default
 * team (parameter 9018; when it is not set, the group named "Service desk", created if missing, becomes it), each
 * move recorded as an event by nobody (the upgrade). A new database has no ticket, so nothing is created there.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  const id = (c: any) => (t.pg ? c.primaryKey().generatedByDefaultAsIdentity() : c.primaryKey().autoIncrement());
  await db.schema
    .createTable('ticket_event')
    .addColumn('id', 'integer', id)
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('ticket.id').onDelete('cascade'))
    .addColumn('actor_id', 'integer', (c) => c.references('app_user.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('from_value', 'text')
    .addColumn('to_value', 'text')
    .addColumn('at', t.timestamp, (c) => c.notNull())
    .execute();
  await db.schema.createIndex('ticket_event_ticket').on('ticket_event').columns(['ticket_id', 'id']).execute();

  const teamless = await db.selectFrom('ticket').select('id').where('group_id', 'is', null).limit(1).execute();
  if (teamless.length === 0) return;
  const at = new Date().toISOString();
  const team = await defaultTeam(db, at);
  await db
    .insertInto('ticket_event')
    .columns(['ticket_id', 'actor_id', 'kind', 'from_value', 'to_value', 'at'])
    .expression(
      db
        .selectFrom('ticket')
        .select([
          'id',
          sql`null`.as('actor_id'),
          sql.lit('team').as('kind'),
          sql`null`.as('from_value'),
          sql.lit(String(team)).as('to_value'),
          (t.pg ? sql`${at}::timestamptz` : sql`${at}`).as('at'),
        ])
        .where('group_id', 'is', null),
    )
    .execute();
  await db.updateTable('ticket').set({ group_id: team }).where('group_id', 'is', null).execute();
}

/** The group parameter 9018 names, or the "Service desk" group (created if missing), then named by 9018. */
async function defaultTeam(db: Kysely<any>, at: string): Promise<number> {
  const stored = await db
    .selectFrom('system_parameter')
    .select('value')
    .where('id', '=', DEFAULT_TEAM)
    .executeTakeFirst();
  const named = stored?.value ? Number(JSON.parse(stored.value)) : NaN;
  if (Number.isInteger(named)) {
    const group = await db.selectFrom('support_group').select('id').where('id', '=', named).executeTakeFirst();
    if (group) return group.id as number;
  }
  const existing = await db
    .selectFrom('support_group')
    .select('id')
    .where('name', '=', UPGRADE_TEAM_NAME)
    .executeTakeFirst();
  const teamId =
    (existing?.id as number | undefined) ??
    ((
      await db.insertInto('support_group').values({ name: UPGRADE_TEAM_NAME }).returning('id').executeTakeFirstOrThrow()
    ).id as number);
  const value = JSON.stringify(teamId);
  if (stored) {
    await db
      .updateTable('system_parameter')
      .set({ value, updated_at: at, updated_by: null })
      .where('id', '=', DEFAULT_TEAM)
      .execute();
  } else {
    await db
      .insertInto('system_parameter')
      .values({ id: DEFAULT_TEAM, value, updated_at: at, updated_by: null })
      .execute();
  }
  return teamId;
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_event').execute();
}
