/**
 * The storage contract of a ticket's thread as a mail's history reads it, on every real database: the newest public
 * messages first, never an internal note nor a removed message, never another ticket's, at most as many as asked;
 * read by walking back over those rows alone, whatever the ticket's past and whether the tables have statistics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery, sql, type RawBuilder } from 'kysely';
import { bool } from '../../src/adapters/storage/sql/rows.ts';
import { preparedSql } from '../../src/adapters/storage/sql/sql-context.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, a thread's latest public messages, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('lists the newest public messages first, leaving out internal notes, removed messages and other tickets', async () => {
      const requester = await storage.people.createUser(newUser('history@example.test'), AT);
      const tech = await storage.people.createUser(newUser('history.tech@example.test', 'technician'), AT);
      const ticket = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const other = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const say = async (ticketId: number, authorId: number, text: string, internal = false) =>
        (
          await storage.atomic.storeMessage(
            {
              ticketId,
              authorId,
              text,
              internal,
              sendEmail: false,
              source: 'portal',
              timeSpentMinutes: null,
              timeSpentDate: null,
              createdAt: AT,
            },
            [],
          )
        ).messageId;
      const one = await say(ticket.id, requester.id, 'one');
      const file = (id: string, name: string, inline: boolean) => ({
        id,
        ticketId: ticket.id,
        messageId: one,
        inboundMailId: null,
        name,
        contentType: 'text/plain',
        size: 1,
        sha256: 'e'.repeat(64),
        inline,
        content: new Uint8Array([1]),
      });
      await storage.attachments.insertAttachments(
        [
          file('history-file-1-aaaaaaaa', 'z-first.pdf', false),
          file('history-file-2-aaaaaaaa', 'logo.png', true),
          file('history-file-3-aaaaaaaa', 'a-second.txt', false),
        ],
        AT,
      );
      await say(ticket.id, tech.id, 'two');
      await say(ticket.id, tech.id, 'a note', true);
      await say(other.id, requester.id, 'elsewhere');
      await say(ticket.id, requester.id, 'three');
      const latest = await storage.messages.latestPublicMessages(ticket.id, 10);
      assert.deepEqual(
        latest.map((m) => m.text),
        ['three', 'two', 'one'],
      );
      assert.equal(latest[1]!.authorName, tech.name);
      // Files named in their order, inline ones (a signature's logo) left out.
      assert.deepEqual(
        latest.map((m) => m.fileNames),
        [[], [], ['z-first.pdf', 'a-second.txt']],
      );
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(ticket.id, 2)).map((m) => m.text),
        ['three', 'two'],
      );
      assert.deepEqual(await storage.messages.latestPublicMessages(ticket.id, 0), []);
      await storage.messages.removeMessagesOfAuthor(requester.id, AT);
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(ticket.id, 10)).map((m) => m.text),
        ['two'],
      );
    });

    it('reads only the rows it returns, for a busy ticket gone quiet, with statistics or none', async () => {
      const requester = await storage.people.createUser(newUser('history.quiet@example.test'), AT);
      const tickets = [];
      for (let i = 0; i < 200; i++) tickets.push(await storage.tickets.createTicket(newTicket(requester.id), AT));
      const [quiet, ...busy] = tickets;
      // A quarter of the first 4,000 messages are the quiet ticket's (one in eight of those internal notes); the next
      // 1,000 are two other tickets', and the 196 newest one each of the other tickets (a desk has many tickets: the
      // fix plans for an average one, and with six tickets an average one is a sixth of the table). A plan trusting
      // that a quarter of all messages are the quiet ticket's walks back over the 1,196 newer ones to find its two.
      // PostgreSQL: no automatic ANALYZE in the middle, so the first pass has no statistics.
      if (database.name === 'postgres')
        await sql`alter table ticket_message set (autovacuum_enabled = off)`.execute(storage.kyselyInstance);
      const many = (count: number, ticketOf: RawBuilder<number>, internal: RawBuilder<boolean>) =>
        sql`with recursive g(n) as (select 1 union all select n + 1 from g where n < ${count})
          insert into ticket_message (ticket_id, author_id, text, internal, send_email, source, created_at)
          select cast(${ticketOf} as integer), ${requester.id}, 'message ' || n, ${internal}, ${bool(false)},
            'portal', ${AT} from g`.execute(storage.kyselyInstance);
      const ids = busy.map((t) => t!.id);
      await many(
        4000,
        sql`case n % 4 when 0 then ${quiet!.id} when 1 then ${ids[0]} when 2 then ${ids[1]} else ${ids[2]} end`,
        sql`(n % 32 = 0)`,
      );
      await many(1000, sql`case when n % 2 = 0 then ${ids[0]} else ${ids[1]} end`, sql`(n < 0)`);
      assert.equal(ids[198]! - ids[3]!, 195, 'the small tickets have consecutive ids');
      await many(196, sql`${ids[3]! - 1} + n`, sql`(n < 0)`);
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(quiet!.id, 2)).map((m) => m.text),
        ['message 3996', 'message 3992'],
      );
      const db = storage.kyselyInstance;
      const text = preparedSql(database.name === 'postgres' ? 'postgres' : 'sqlite', 'latestPublicMessages');
      assert.ok(text, 'the history read is a prepared query');
      for (const statistics of [false, true]) {
        if (statistics) await sql`analyze`.execute(db);
        if (database.name !== 'postgres') {
          const plan = await db.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${text}`, [quiet!.id, 2]),
          );
          const details = plan.rows.map((r) => r.detail).join('\n');
          assert.match(details, /SEARCH ticket_message USING INDEX ticket_message_public \(ticket_id=\?\)/, details);
          assert.doesNotMatch(details, /TEMP B-TREE FOR ORDER BY/, details); // no sort of the thread
          continue;
        }
        // PostgreSQL: the plan made for these values and the one made once for every ticket.
        for (const mode of ['force_custom_plan', 'force_generic_plan']) {
          // One connection, no transaction: the setting and the statement are put back whatever happens.
          const nodes = await db.connection().execute(async (c) => {
            await sql.raw(`set plan_cache_mode = ${mode}`).execute(c);
            await sql.raw(`prepare explained_history as ${text}`).execute(c);
            try {
              const { rows } = await sql<{
                'QUERY PLAN': { Plan: PlanNode }[];
              }>`explain (analyze, format json) execute explained_history(${sql.lit(quiet!.id)}, 2)`.execute(c);
              return nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan);
            } finally {
              await sql`deallocate explained_history`.execute(c);
              await sql`reset plan_cache_mode`.execute(c);
            }
          });
          const reads = nodes.filter((n) => n['Relation Name'] === 'ticket_message');
          const how = `${mode}, statistics: ${statistics}: ${JSON.stringify(reads)}`;
          assert.ok(reads.length > 0, how);
          for (const read of reads) {
            assert.ok(read['Actual Rows'] <= 2, how);
            assert.equal(read['Rows Removed by Filter'] ?? 0, 0, how);
          }
        }
      }
    });
  });
}

interface PlanNode {
  'Node Type': string;
  'Relation Name'?: string;
  'Actual Rows': number;
  'Rows Removed by Filter'?: number;
  Plans?: PlanNode[];
}

const nodesOf = (node: PlanNode): PlanNode[] => [node, ...(node.Plans ?? []).flatMap(nodesOf)];
