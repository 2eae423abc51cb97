/**
 * The storage contract of the unit of work (messages with their mails), run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { useWorld } from './contract-support.ts';
import { testDeps, type World } from '../support/fixtures.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, the unit of work (messages with their mails), on ${database.name}`, () => {
    // A database of its own, with a world of users, groups and tickets.
    let world: World;
    let storage2: SqlStorage;
    useWorld(database, (opened, built) => {
      storage2 = opened;
      world = built;
    });

    it('stores a message with its outbox entries in one transaction and lists the thread oldest first', async () => {
      const deps = testDeps(storage2);
      const first = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Olá João',
        source: 'desk',
      });
      const note = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'internal',
        internal: true,
        timeSpentMinutes: 15,
        timeSpentDate: '2026-03-14',
        source: 'desk',
      });
      assert.equal(first.notifications.length, 1);
      assert.equal(note.notifications.length, 0);
      const thread = await storage2.messages.listMessages(world.ticketA.id, true);
      assert.deepEqual(
        thread.map((m) => m.id),
        [first.message.id, note.message.id],
      );
      assert.equal(thread[1]!.internal, true);
      assert.equal(thread[1]!.timeSpentMinutes, 15);
      assert.equal(thread[1]!.timeSpentDate, '2026-03-14');
      assert.deepEqual(
        (await storage2.messages.listMessages(world.ticketA.id, false)).map((m) => m.id),
        [first.message.id],
      );
      const entries = await storage2.outbox.outboxOfMessages([first.message.id, note.message.id]);
      assert.equal(entries.length, 1);
      const entry = (await storage2.outbox.findOutboxEntry(entries[0]!.id))!;
      assert.equal(entry.status, 'queued');
      assert.equal(entry.toAddress, 'req.a@example.test');
      assert.match(entry.messageIdHeader, /^<parley\.\d+\.[\w-]+@desk\.example\.test>$/);
      assert.deepEqual(entry.attempts, []);
      assert.equal((await storage2.outbox.listOutbox('queued', { limit: 10 })).items.length, 1);
      assert.equal((await storage2.outbox.listOutbox('sent', { limit: 10 })).items.length, 0);
    });

    it('queues one mail per technician of the group in the same write, in order, with the outbox ids returned', async () => {
      const deps = testDeps(storage2);
      await storage2.people.addGroupMember(world.groupA, world.admin.id);
      const groupTicket = (
        await storage2.tickets.listTickets({ kind: 'all' }, { unassigned: true }, { limit: 5 })
      ).items.find((t) => t.groupId === world.groupA)!;
      const r = await postMessage(deps, world.requesterA, {
        ticketNumber: groupTicket.number,
        text: 'Two of you?',
        source: 'portal',
      });
      assert.deepEqual(r.notifications.map((n) => n.toAddress).sort(), ['admin@example.test', 'tech.a@example.test']);
      const stored = await storage2.outbox.outboxOfMessages([r.message.id]);
      assert.deepEqual(
        stored.map((e) => e.id),
        r.notifications.map((n) => n.id).sort((a, b) => a - b),
      );
      assert.deepEqual(
        stored.map((e) => e.toAddress),
        r.notifications.map((n) => n.toAddress),
      );
      for (const e of stored) {
        assert.equal(e.status, 'queued');
        assert.equal(e.ticketId, groupTicket.id);
        assert.match(e.replyTo!, /^reply\+\d+\.\d+\.[0-9a-f]{20}@desk\.example\.test$/);
        assert.equal(e.threadId, `<parley.ticket.${groupTicket.number}@desk.example.test>`);
        assert.equal(e.nextAttemptAt, e.createdAt);
      }
      const ticket = (await storage2.tickets.findTicketByNumber(groupTicket.number))!;
      assert.equal(ticket.lastActivityAt, r.message.createdAt);
    });

    it('stores messages posted at the same moment each whole; one that fails takes none of the others with it', async () => {
      const at = '2026-04-02T10:00:00.000Z';
      const message = (ticketId: number, text: string) => ({
        ticketId,
        authorId: world.techA.id,
        text,
        internal: false,
        sendEmail: true,
        source: 'api' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt: at,
      });
      const mail = (n: number) => ({
        ticketId: world.ticketA.id,
        recipientId: world.requesterA.id,
        toAddress: 'req.a@example.test',
        toName: 'João',
        subject: `s${n}`,
        html: '<p>h</p>',
        text: 't',
        messageIdHeader: `<group.${n}.${Date.now()}@example.test>`,
        threadId: null,
        replyTo: null,
      });
      // Started in the same turn of the event loop: on SQLite they share one transaction (group commit).
      const results = await Promise.allSettled([
        storage2.atomic.storeMessage(message(world.ticketA.id, 'group one'), [mail(1)]),
        storage2.atomic.storeMessage(message(999_999, 'no such ticket'), [mail(2)]),
        storage2.atomic.storeMessage(message(world.ticketA.id, 'group three'), [mail(3), mail(4)]),
      ]);
      assert.equal(results[0]!.status, 'fulfilled');
      assert.equal(results[1]!.status, 'rejected', 'a message on a ticket that does not exist is refused');
      assert.equal(results[2]!.status, 'fulfilled');
      const thread = await storage2.messages.listMessages(world.ticketA.id, true);
      assert.deepEqual(
        thread.filter((m) => m.text.startsWith('group ')).map((m) => m.text),
        ['group one', 'group three'],
      );
      const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
      const entries = await storage2.outbox.outboxOfMessages(stored.map((s) => s.messageId));
      assert.deepEqual(entries.map((e) => e.subject).sort(), ['s1', 's3', 's4']);
      assert.deepEqual(
        entries.map((e) => e.id).sort((a, b) => a - b),
        stored.flatMap((s) => s.outboxIds).sort((a, b) => a - b),
      );
      assert.equal((await storage2.outbox.outboxOfMessages([999_999])).length, 0);
    });

    it('records a group of attempt outcomes in one write, only for the claims still held', async () => {
      const now = '2026-04-02T11:00:00.000Z';
      const claimed = await storage2.outbox.claimOutbox({
        now,
        leaseUntil: '2026-04-02T11:05:00.000Z',
        token: 'claim-a',
        limit: 3,
      });
      assert.ok(claimed.length >= 2, 'queued mail from the tests above');
      const [first, second] = claimed;
      const outcome = (status: 'sent' | 'deferred', reply: string) => ({
        status,
        at: now,
        reply,
        nextAttemptAt: status === 'deferred' ? '2026-04-02T11:10:00.000Z' : null,
      });
      // Another dispatcher's token records nothing.
      assert.deepEqual(
        await storage2.outbox.finishOutboxAttempts('claim-b', [
          { id: first!.id, outcome: outcome('sent', '250 other') },
        ]),
        [],
      );
      const recorded = await storage2.outbox.finishOutboxAttempts('claim-a', [
        { id: first!.id, outcome: outcome('sent', "250 2.0.0 Ok, it's queued") },
        { id: second!.id, outcome: outcome('deferred', '451 4.3.0 "try again", later') },
      ]);
      assert.deepEqual(
        recorded.sort((a, b) => a - b),
        [first!.id, second!.id].sort((a, b) => a - b),
      );
      const a = (await storage2.outbox.findOutboxEntry(first!.id))!;
      const b = (await storage2.outbox.findOutboxEntry(second!.id))!;
      assert.equal(a.status, 'sent');
      assert.equal(a.sentAt, now);
      assert.deepEqual(
        a.attempts.map((x) => [x.result, x.reply]),
        [['sent', "250 2.0.0 Ok, it's queued"]],
      );
      assert.equal(b.status, 'deferred');
      assert.equal(b.nextAttemptAt, '2026-04-02T11:10:00.000Z');
      assert.deepEqual(
        b.attempts.map((x) => [x.result, x.reply]),
        [['deferred', '451 4.3.0 "try again", later']],
      );
      // Recorded once: the same claim cannot record again.
      assert.deepEqual(
        await storage2.outbox.finishOutboxAttempts('claim-a', [{ id: first!.id, outcome: outcome('sent', 'again') }]),
        [],
      );
    });

    it('stores nothing when messaging is unavailable (409), on this database too', async () => {
      const deps = testDeps(storage2);
      const before = (await storage2.messages.listMessages(world.ticketA.id, true)).length;
      const outboxBefore = (await storage2.outbox.listOutbox(undefined, { limit: 100 })).items.length;
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, null);
      await assert.rejects(
        postMessage(deps, world.requesterA, {
          ticketNumber: world.ticketA.number,
          text: 'anyone?',
          source: 'portal',
        }),
        (e: unknown) => e instanceof DomainError && e.code === 'MESSAGING_UNAVAILABLE',
      );
      assert.equal((await storage2.messages.listMessages(world.ticketA.id, true)).length, before);
      assert.equal((await storage2.outbox.listOutbox(undefined, { limit: 100 })).items.length, outboxBefore);
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.MESSAGING_TEMPLATE, world.templateId);
    });
  });
}
