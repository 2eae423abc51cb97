import type { Kysely } from 'kysely';
import { types } from './dialect-types.ts';

/**
 * People a ticket copies (Cc): users besides its requester who take part in it. They are told about its public
 * messages and their replies by mail are accepted as a participant's; a copied requester may see the ticket (a copied
 * technician gets no access from it). Only staff change the list; an
 * address that is no user yet becomes a requester without a password (mail only, until an administrator sets one).
 */
export async function up(db: Kysely<any>): Promise<void> {
  const t = types(db);
  await db.schema
    .createTable('ticket_copy')
    .addColumn('ticket_id', 'integer', (c) => c.notNull().references('ticket.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('app_user.id'))
    .addColumn('added_at', t.timestamp, (c) => c.notNull())
    .addPrimaryKeyConstraint('ticket_copy_pk', ['ticket_id', 'user_id'])
    .execute();
  await db.schema.createIndex('ticket_copy_user').on('ticket_copy').columns(['user_id', 'ticket_id']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('ticket_copy').execute();
}
