/**
 * The storage contract of a ticket's thread as a mail's history reads it, on every real database: the newest public
 * messages first, never an internal note nor a removed message, never another ticket's, at most as many as asked;
 * read by walking back over those rows alone, whatever the ticket's age and whether the tables have statistics.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CompiledQuery, sql } from 'kysely';
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

    it("reads only the rows it returns, on an old ticket under a busy one's thread, with statistics or none", async () => {
      const requester = await storage.people.createUser(newUser('history.old@example.test'), AT);
      const old = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const busy = await storage.tickets.createTicket(newTicket(requester.id), AT);
      const say = (ticketId: number, text: string, internal = false) =>
        storage.atomic.storeMessage(
          {
            ticketId,
            authorId: requester.id,
            text,
            internal,
            sendEmail: false,
            source: 'portal',
            timeSpentMinutes: null,
            timeSpentDate: null,
            createdAt: AT,
          },
          [],
        );
      for (let i = 1; i <= 12; i++) await say(old.id, `old ${i}`, i % 4 === 0);
      for (let i = 1; i <= 150; i++) await say(busy.id, `busy ${i}`);
      assert.deepEqual(
        (await storage.messages.latestPublicMessages(old.id, 2)).map((m) => m.text),
        ['old 11', 'old 10'],
      );
      const db = storage.kyselyInstance;
      const text = preparedSql(database.name === 'postgres' ? 'postgres' : 'sqlite', 'latestPublicMessages');
      assert.ok(text, 'the history read is a prepared query');
      for (const statistics of [false, true]) {
        if (statistics) await sql`analyze`.execute(db);
        if (database.name !== 'postgres') {
          const plan = await db.executeQuery<{ detail: string }>(
            CompiledQuery.raw(`explain query plan ${text}`, [old.id, 2]),
          );
          const details = plan.rows.map((r) => r.detail).join('\n');
          assert.match(details, /SEARCH ticket_message USING INDEX ticket_message_public/, details);
          assert.doesNotMatch(details, /TEMP B-TREE FOR ORDER BY/, details); // no sort of the thread
          continue;
        }
        // PostgreSQL: the plan made for these values and the one made once for every ticket.
        for (const mode of ['force_custom_plan', 'force_generic_plan']) {
          const nodes = await db.transaction().execute(async (trx) => {
            await sql.raw(`set local plan_cache_mode = ${mode}`).execute(trx);
            await sql.raw(`prepare explained_history as ${text}`).execute(trx);
            const { rows } = await sql<{
              'QUERY PLAN': { Plan: PlanNode }[];
            }>`explain (analyze, format json) execute explained_history(${sql.lit(old.id)}, 2)`.execute(trx);
            await sql`deallocate explained_history`.execute(trx);
            return nodesOf(rows[0]!['QUERY PLAN'][0]!.Plan);
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
