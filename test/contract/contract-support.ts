/** What every file of the storage contract shares: a fresh database of one kind per suite, and rows to store. */
import { after, before } from 'node:test';
import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { NewTicket, NewUser } from '../../src/ports/storage.ts';
import type { NewOutboxEntry } from '../../src/domain/notifications/outbox-entry.ts';
import type { TestDatabase } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';

export const AT = '2026-03-14T15:09:26.123Z';

/** A mail tied to no message (as an event's), number `n` of a series: `<parley.{series}.{n}@x.test>`, to `toAddress`. */
export function queuedMail(
  to: { ticketId: number; recipientId: number; toAddress: string },
  series: string,
  n: number,
  fields: Partial<NewOutboxEntry> = {},
): NewOutboxEntry {
  return {
    ...to,
    messageId: null,
    toName: 'Recipient',
    subject: `${series} ${n}`,
    html: '<p>h</p>',
    text: 'h',
    messageIdHeader: `<parley.${series}.${n}@x.test>`,
    threadId: null,
    replyTo: null,
    ...fields,
  };
}

export function newUser(email: string, role: NewUser['role'] = 'requester'): NewUser {
  return { role, email, name: `User ${email}`, locale: 'en-US', timeZone: 'UTC', passwordHash: null };
}

/** A ticket a user opened for themself, in no group, with nobody responsible and no classification. */
export function newTicket(userId: number, fields: Partial<NewTicket> = {}): NewTicket {
  return {
    title: 'T',
    description: 'D',
    requesterId: userId,
    contactName: null,
    registeredById: userId,
    groupId: null,
    responsibleId: null,
    demandType: null,
    activity: null,
    relatedService: null,
    portfolio: null,
    category: null,
    ...fields,
  };
}

/** Opens a fresh, migrated database of this kind before the suite (`use` receives it); closes and drops it after. */
export function useDatabase(database: TestDatabase, use: (storage: SqlStorage) => void): void {
  let opened: Awaited<ReturnType<TestDatabase['open']>> | undefined;
  before(async () => {
    opened = await database.open();
    use(opened.storage);
  });
  after(async () => {
    await opened?.storage.close();
    await opened?.drop();
  });
}

/** `useDatabase` with a world of users, groups and tickets built in it (test/support/fixtures.ts). */
export function useWorld(database: TestDatabase, use: (storage: SqlStorage, world: World) => void): void {
  let storage: SqlStorage;
  useDatabase(database, (opened) => (storage = opened));
  before(async () => use(storage, await buildWorld(testDeps(storage))));
}

/**
 * Runs `work` while every insert into `table` fails with "no attempt written" (a trigger, dropped afterwards): a
 * failure between two writes, as a full disk or a lost connection would make it.
 */
export async function whileInsertsFail<T>(
  storage: SqlStorage,
  database: TestDatabase,
  table: 'outbox_attempt' | 'webhook_attempt',
  work: () => Promise<T>,
): Promise<T> {
  const db = storage.kyselyInstance;
  const postgres = database.name === 'postgres';
  if (postgres) {
    await sql`create function refuse_insert() returns trigger language plpgsql as $$
      begin raise exception 'no attempt written'; end $$`.execute(db);
    await sql`create trigger refuse_insert before insert on ${sql.table(table)}
      for each row execute function refuse_insert()`.execute(db);
  } else {
    await sql`create trigger refuse_insert before insert on ${sql.table(table)}
      begin select raise(abort, 'no attempt written'); end`.execute(db);
  }
  try {
    return await work();
  } finally {
    await sql`drop trigger refuse_insert${postgres ? sql` on ${sql.table(table)}` : sql``}`.execute(db);
    if (postgres) await sql`drop function refuse_insert()`.execute(db);
  }
}
