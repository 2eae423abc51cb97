/**
 * One storage's LISTEN channels share one connection (`postgres/pg-listener.ts`): the outbox wake-ups, ticket
 * activity, presence and the read cache's notices. Cut, it is re-opened and every subscriber hears that signals may
 * have been lost; the last subscriber leaving closes it.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { waitUntil } from '../support/smtp-sink.ts';

describe("a PostgreSQL storage's listening connection", () => {
  it('carries every channel of the storage, is re-opened after a cut with each subscriber told, and closes with the last', async () => {
    const db = await createPostgresDatabase();
    const storage = openPostgresStorage(db.url, { max: 2 });
    const writer = openPostgresStorage(db.url, { max: 2 });
    try {
      await writer.migrate();
      const listening = async () =>
        (
          await sql<{ pid: number }>`select pid from pg_stat_activity
            where datname = current_database() and query ~ '^(UN)?LISTEN '`.execute(writer.kyselyInstance)
        ).rows;
      const heard = { outbox: 0, tickets: [] as number[], missed: 0, presence: 0 };
      const stops = [
        await storage.onOutboxSignal(() => heard.outbox++),
        await storage.onTicketActivity((ids) => heard.tickets.push(...ids), { missed: () => heard.missed++ }),
        await storage.onPresence(() => heard.presence++),
      ];
      await storage.people.findActor({ email: 'nobody@example.test' }); // the read cache starts listening
      await waitUntil(async () => (await listening()).length === 1, 'one listening connection');
      const before = { ...heard };

      await sql`select pg_notify('parley_ticket', '7')`.execute(writer.kyselyInstance);
      await writer.signalPresence({
        ticketNumber: 1,
        userId: 1,
        name: 'Ana',
        tab: 't',
        state: 'viewing',
        expiresAt: new Date(Date.now() + 60_000).toISOString(),
      });
      await waitUntil(() => heard.tickets.includes(7) && heard.presence === before.presence + 1, 'both signals');

      const [backend] = await listening();
      await sql`select pg_terminate_backend(${backend!.pid})`.execute(writer.kyselyInstance);
      await waitUntil(
        () => heard.outbox > before.outbox && heard.missed > before.missed,
        'every subscriber told once it listens again',
        10_000,
      );
      await waitUntil(async () => (await listening()).length === 1, 'one listening connection again');
      await sql`select pg_notify('parley_ticket', '8')`.execute(writer.kyselyInstance);
      await waitUntil(() => heard.tickets.includes(8), 'signals after the cut');

      for (const stop of stops) await stop();
      assert.equal((await listening()).length, 1, 'the read cache still listens');
      await storage.close();
      await waitUntil(async () => (await listening()).length === 0, 'closed with the storage');
    } finally {
      await storage.close().catch(() => {});
      await writer.close();
      await db.drop();
    }
  });
});
