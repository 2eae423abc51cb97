import { sql, type Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * The desk's queue: `ticket_seen` (the ticket activity each user has seen, for the unread marker), indexes for its
 * sorts and filters, and the full-text search of titles, descriptions and message text. PostgreSQL: GIN indexes on
 * `to_tsvector('simple', …)` (the 'simple' configuration: lowered words, no stemming, so English, Portuguese and
 * Spanish are searched alike; a word matches as a prefix). SQLite: FTS5 tables whose content is the `ticket` and
 * `ticket_message` rows themselves (external content), kept in step by triggers, with `secure-delete` on so an
 * overwritten text (an erasure) leaves no word behind in the index. Existing rows are indexed here.
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('ticket_seen')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('ticket.id'))
    .addColumn('seen_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_seen_pk', ['user_id', 'ticket_id'])
    .execute();
  await db.schema.createIndex('ticket_seen_ticket').on('ticket_seen').column('ticket_id').execute();
  await db.schema.createIndex('ticket_registered_by').on('ticket').columns(['registered_by_id', 'id']).execute();
  await db.schema.createIndex('ticket_status').on('ticket').columns(['status', 'id']).execute();
  await db.schema.createIndex('ticket_activity').on('ticket').columns(['last_activity_at', 'id']).execute();
  await db.schema.createIndex('ticket_title').on('ticket').columns(['title', 'id']).execute();
  if (t.pg) {
    await sql`create index ticket_title_search on ticket using gin (to_tsvector('simple', title || ' ' || description))`.execute(
      db,
    );
    await sql`create index ticket_message_search on ticket_message using gin (to_tsvector('simple', text))`.execute(db);
    return;
  }
  for (const [fts, table, columns] of [
    ['ticket_title_fts', 'ticket', ['title', 'description']],
    ['ticket_message_fts', 'ticket_message', ['text']],
  ] as const) {
    const list = columns.join(', ');
    const values = (row: string) => columns.map((c) => `${row}.${c}`).join(', ');
    await sql
      .raw(
        `create virtual table ${fts} using fts5(${list}, content='${table}', content_rowid='id', tokenize='unicode61 remove_diacritics 2')`,
      )
      .execute(db);
    await sql.raw(`insert into ${fts}(${fts}, rank) values ('secure-delete', 1)`).execute(db);
    await sql.raw(`insert into ${fts}(${fts}) values ('rebuild')`).execute(db);
    const remove = `insert into ${fts}(${fts}, rowid, ${list}) values ('delete', old.id, ${values('old')});`;
    const add = `insert into ${fts}(rowid, ${list}) values (new.id, ${values('new')});`;
    await sql.raw(`create trigger ${fts}_insert after insert on ${table} begin ${add} end`).execute(db);
    await sql.raw(`create trigger ${fts}_delete after delete on ${table} begin ${remove} end`).execute(db);
    await sql
      .raw(`create trigger ${fts}_update after update of ${list} on ${table} begin ${remove} ${add} end`)
      .execute(db);
  }
}

export async function down(db: Kysely<any>): Promise<void> {
  if (types(db).pg) {
    await sql`drop index ticket_message_search`.execute(db);
    await sql`drop index ticket_title_search`.execute(db);
  } else {
    for (const fts of ['ticket_title_fts', 'ticket_message_fts']) {
      for (const event of ['insert', 'delete', 'update']) await sql.raw(`drop trigger ${fts}_${event}`).execute(db);
      await sql.raw(`drop table ${fts}`).execute(db);
    }
  }
  for (const index of [
    'ticket_title',
    'ticket_activity',
    'ticket_status',
    'ticket_registered_by',
    'ticket_seen_ticket',
  ])
    await db.schema.dropIndex(index).execute();
  await db.schema.dropTable('ticket_seen').execute();
}
