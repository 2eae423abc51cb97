/**
 * The storage contract: one suite, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import type { NewUser } from '../../src/ports/storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';

const AT = '2026-03-14T15:09:26.123Z';

function newUser(email: string, role: NewUser['role'] = 'requester'): NewUser {
  return { role, email, name: `User ${email}`, locale: 'en-US', timeZone: 'UTC', passwordHash: null };
}

for (const database of ALL_DATABASES) {
  describe(`storage contract on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;

    before(async () => {
      ({ storage, drop } = await database.open());
    });
    after(async () => {
      await storage.close();
      await drop();
    });

    it('migrates idempotently', async () => {
      assert.deepEqual(await storage.migrate(), []);
      await storage.ping();
    });

    it('stores users and finds them by id and email; timestamps and booleans round-trip', async () => {
      const user = await storage.createUser(newUser('first@example.test', 'technician'), AT);
      assert.equal(user.createdAt, AT);
      assert.equal(user.active, true);
      assert.deepEqual(await storage.findUserById(user.id), user);
      const byEmail = await storage.findUserByEmail('first@example.test');
      assert.equal(byEmail?.id, user.id);
      assert.equal(byEmail?.passwordHash, null);
      assert.equal(await storage.findUserById(999_999), undefined);
    });

    it('refuses a second user with the same email', async () => {
      await storage.createUser(newUser('dup@example.test'), AT);
      await assert.rejects(storage.createUser(newUser('dup@example.test'), AT));
    });

    it('pages users with an opaque cursor', async () => {
      for (let i = 0; i < 5; i++) await storage.createUser(newUser(`page${i}@example.test`), AT);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await storage.listUsers({ cursor, limit: 2 });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(seen.length, await storage.countUsers());
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
      );
    });

    it('keeps groups and their members; staffOfGroup lists only technicians and admins', async () => {
      const group = await storage.createGroup('Contract group');
      const tech = await storage.createUser(newUser('g.tech@example.test', 'technician'), AT);
      const req = await storage.createUser(newUser('g.req@example.test'), AT);
      await storage.addGroupMember(group.id, tech.id);
      await storage.addGroupMember(group.id, req.id);
      await storage.addGroupMember(group.id, tech.id); // twice: no error, no duplicate
      assert.deepEqual(
        (await storage.findGroup(group.id))?.memberIds,
        [tech.id, req.id].sort((a, b) => a - b),
      );
      assert.deepEqual(
        (await storage.staffOfGroup(group.id)).map((u) => u.id),
        [tech.id],
      );
      assert.deepEqual(await storage.groupIdsOfUser(tech.id), [group.id]);
      assert.equal((await storage.findGroupByName('Contract group'))?.id, group.id);
      await assert.rejects(storage.createGroup('Contract group'));
    });

    it('edits users and groups: fields, memberships, renames, deletes; lists the staff a ticket can go to', async () => {
      const one = await storage.createGroup('Edit one');
      const two = await storage.createGroup('Edit two');
      const tech = await storage.createUser(newUser('e.tech@example.test', 'technician'), AT);
      const changed = await storage.updateUser(tech.id, {
        name: 'Edna Técnica',
        locale: 'es-ES',
        timeZone: 'Europe/Madrid',
        active: false,
      });
      assert.equal(changed?.name, 'Edna Técnica');
      assert.equal(changed?.locale, 'es-ES');
      assert.equal(changed?.timeZone, 'Europe/Madrid');
      assert.equal(changed?.active, false);
      assert.equal(await storage.updateUser(9_999_999, { name: 'nobody' }), undefined);
      assert.ok(
        !(await storage.listStaff()).some((u) => u.id === tech.id),
        'an inactive technician is nobody to assign to',
      );
      await storage.updateUser(tech.id, { active: true });

      await storage.setUserGroups(tech.id, [one.id, two.id]);
      assert.deepEqual(
        await storage.groupIdsOfUser(tech.id),
        [one.id, two.id].sort((a, b) => a - b),
      );
      await storage.setUserGroups(tech.id, [two.id]);
      assert.deepEqual(await storage.groupIdsOfUser(tech.id), [two.id]);
      await storage.removeGroupMember(two.id, tech.id);
      assert.deepEqual(await storage.groupIdsOfUser(tech.id), []);
      await storage.addGroupMember(two.id, tech.id);
      const staff = (await storage.listStaff()).find((u) => u.id === tech.id);
      assert.deepEqual(staff?.groupIds, [two.id]);

      assert.equal((await storage.renameGroup(one.id, 'Edit one, renamed'))?.name, 'Edit one, renamed');
      await assert.rejects(storage.renameGroup(one.id, 'Edit two'), 'group names stay unique');
      assert.equal(await storage.countTicketsOfGroup(two.id), 0);
      assert.equal(await storage.deleteGroup(two.id), true);
      assert.deepEqual(await storage.groupIdsOfUser(tech.id), [], 'its memberships go with it');
      assert.equal(await storage.deleteGroup(two.id), false);
    });

    it('rolls a transaction back entirely when it fails', async () => {
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.createUser(newUser('rollback@example.test'), AT);
          await tx.createGroup('Rollback group');
          throw new Error('boom');
        }),
        /boom/,
      );
      assert.equal(await storage.findUserByEmail('rollback@example.test'), undefined);
      assert.equal(await storage.findGroupByName('Rollback group'), undefined);
    });

    describe('tickets, messages and outbox', () => {
      let world: World;
      before(async () => {
        // A separate database keeps this world apart from the rows above.
        const fresh = await database.open();
        const deps = testDeps(fresh.storage);
        world = await buildWorld(deps);
        storage2 = fresh.storage;
        drop2 = fresh.drop;
      });
      let storage2: SqlStorage;
      let drop2: () => Promise<void>;
      after(async () => {
        await storage2.close();
        await drop2();
      });

      it('numbers tickets and reads them back with the names the template keys need', async () => {
        const t = (await storage2.findTicketByNumber(world.ticketA.number))!;
        assert.equal(t.number, world.ticketA.number);
        assert.equal(t.requesterName, 'João Muñoz');
        assert.equal(t.groupName, 'Group A');
        assert.equal(t.responsibleName, null);
        assert.equal(t.demandType, 'Incident');
        assert.equal(t.status, 'new');
        const b = (await storage2.findTicketByNumber(world.ticketB.number))!;
        assert.equal(b.responsibleName, 'Bruno Técnico');
      });

      it('lists tickets newest first within each scope', async () => {
        const all = await storage2.listTickets({ kind: 'all' }, {}, { limit: 10 });
        assert.deepEqual(
          all.items.map((t) => t.number),
          [world.ticketB.number, world.ticketA.number],
        );
        const mine = await storage2.listTickets(
          { kind: 'requester', requesterId: world.requesterA.id },
          {},
          { limit: 10 },
        );
        assert.deepEqual(
          mine.items.map((t) => t.number),
          [world.ticketA.number],
        );
        const techA = await storage2.listTickets(
          { kind: 'technician', userId: world.techA.id, groupIds: [world.groupA] },
          {},
          { limit: 10 },
        );
        assert.deepEqual(
          techA.items.map((t) => t.number),
          [world.ticketA.number],
        );
        // responsible without being in the group still sees the ticket
        const techB = await storage2.listTickets(
          { kind: 'technician', userId: world.techB.id, groupIds: [] },
          {},
          { limit: 10 },
        );
        assert.deepEqual(
          techB.items.map((t) => t.number),
          [world.ticketB.number],
        );
        const unassigned = await storage2.listTickets({ kind: 'all' }, { unassigned: true }, { limit: 10 });
        assert.deepEqual(
          unassigned.items.map((t) => t.number),
          [world.ticketA.number],
        );
        const page1 = await storage2.listTickets({ kind: 'all' }, {}, { limit: 1 });
        const page2 = await storage2.listTickets({ kind: 'all' }, {}, { limit: 1, cursor: page1.nextCursor });
        assert.deepEqual(
          [...page1.items, ...page2.items].map((t) => t.number),
          [world.ticketB.number, world.ticketA.number],
        );
        assert.equal(page2.nextCursor, null);
      });

      it('updates a ticket and moves its activity time', async () => {
        await storage2.updateTicket(
          world.ticketA.id,
          { status: 'in_progress', category: 'Printers' },
          '2026-04-01T00:00:00.000Z',
        );
        const t = (await storage2.findTicketByNumber(world.ticketA.number))!;
        assert.equal(t.status, 'in_progress');
        assert.equal(t.category, 'Printers');
        assert.equal(t.lastActivityAt, '2026-04-01T00:00:00.000Z');
        assert.equal(
          (await storage2.listTickets({ kind: 'all' }, { status: 'in_progress' }, { limit: 5 })).items.length,
          1,
        );
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
        const thread = await storage2.listMessages(world.ticketA.id, true);
        assert.deepEqual(
          thread.map((m) => m.id),
          [first.message.id, note.message.id],
        );
        assert.equal(thread[1]!.internal, true);
        assert.equal(thread[1]!.timeSpentMinutes, 15);
        assert.equal(thread[1]!.timeSpentDate, '2026-03-14');
        assert.deepEqual(
          (await storage2.listMessages(world.ticketA.id, false)).map((m) => m.id),
          [first.message.id],
        );
        const entries = await storage2.outboxOfMessages([first.message.id, note.message.id]);
        assert.equal(entries.length, 1);
        const entry = (await storage2.findOutboxEntry(entries[0]!.id))!;
        assert.equal(entry.status, 'queued');
        assert.equal(entry.toAddress, 'req.a@example.test');
        assert.match(entry.messageIdHeader, /^<parley\.\d+\.[\w-]+@desk\.example\.test>$/);
        assert.deepEqual(entry.attempts, []);
        assert.equal((await storage2.listOutbox('queued', { limit: 10 })).items.length, 1);
        assert.equal((await storage2.listOutbox('sent', { limit: 10 })).items.length, 0);
      });

      it('queues one mail per technician of the group in the same write, in order, with the outbox ids returned', async () => {
        const deps = testDeps(storage2);
        await storage2.addGroupMember(world.groupA, world.admin.id);
        const groupTicket = (
          await storage2.listTickets({ kind: 'all' }, { unassigned: true }, { limit: 5 })
        ).items.find((t) => t.groupId === world.groupA)!;
        const r = await postMessage(deps, world.requesterA, {
          ticketNumber: groupTicket.number,
          text: 'Two of you?',
          source: 'portal',
        });
        assert.deepEqual(r.notifications.map((n) => n.toAddress).sort(), ['admin@example.test', 'tech.a@example.test']);
        const stored = await storage2.outboxOfMessages([r.message.id]);
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
        const ticket = (await storage2.findTicketByNumber(groupTicket.number))!;
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
          storage2.storeMessage(message(world.ticketA.id, 'group one'), [mail(1)]),
          storage2.storeMessage(message(999_999, 'no such ticket'), [mail(2)]),
          storage2.storeMessage(message(world.ticketA.id, 'group three'), [mail(3), mail(4)]),
        ]);
        assert.equal(results[0]!.status, 'fulfilled');
        assert.equal(results[1]!.status, 'rejected', 'a message on a ticket that does not exist is refused');
        assert.equal(results[2]!.status, 'fulfilled');
        const thread = await storage2.listMessages(world.ticketA.id, true);
        assert.deepEqual(
          thread.filter((m) => m.text.startsWith('group ')).map((m) => m.text),
          ['group one', 'group three'],
        );
        const stored = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        const entries = await storage2.outboxOfMessages(stored.map((s) => s.messageId));
        assert.deepEqual(entries.map((e) => e.subject).sort(), ['s1', 's3', 's4']);
        assert.deepEqual(
          entries.map((e) => e.id).sort((a, b) => a - b),
          stored.flatMap((s) => s.outboxIds).sort((a, b) => a - b),
        );
        assert.equal((await storage2.outboxOfMessages([999_999])).length, 0);
      });

      it('records a group of attempt outcomes in one write, only for the claims still held', async () => {
        const now = '2026-04-02T11:00:00.000Z';
        const claimed = await storage2.claimOutbox({
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
          await storage2.finishOutboxAttempts('claim-b', [{ id: first!.id, outcome: outcome('sent', '250 other') }]),
          [],
        );
        const recorded = await storage2.finishOutboxAttempts('claim-a', [
          { id: first!.id, outcome: outcome('sent', "250 2.0.0 Ok, it's queued") },
          { id: second!.id, outcome: outcome('deferred', '451 4.3.0 "try again", later') },
        ]);
        assert.deepEqual(
          recorded.sort((a, b) => a - b),
          [first!.id, second!.id].sort((a, b) => a - b),
        );
        const a = (await storage2.findOutboxEntry(first!.id))!;
        const b = (await storage2.findOutboxEntry(second!.id))!;
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
          await storage2.finishOutboxAttempts('claim-a', [{ id: first!.id, outcome: outcome('sent', 'again') }]),
          [],
        );
      });

      it('stores nothing when messaging is unavailable (409), on this database too', async () => {
        const deps = testDeps(storage2);
        const before = (await storage2.listMessages(world.ticketA.id, true)).length;
        const outboxBefore = (await storage2.listOutbox(undefined, { limit: 100 })).items.length;
        await setParameter(deps, world.admin, PARAM.MESSAGING_TEMPLATE, null);
        await assert.rejects(
          postMessage(deps, world.requesterA, {
            ticketNumber: world.ticketA.number,
            text: 'anyone?',
            source: 'portal',
          }),
          (e: unknown) => e instanceof DomainError && e.code === 'MESSAGING_UNAVAILABLE',
        );
        assert.equal((await storage2.listMessages(world.ticketA.id, true)).length, before);
        assert.equal((await storage2.listOutbox(undefined, { limit: 100 })).items.length, outboxBefore);
        await setParameter(deps, world.admin, PARAM.MESSAGING_TEMPLATE, world.templateId);
      });
    });

    it('upserts parameters', async () => {
      await storage.setParameter(9001, JSON.stringify('Desk'), AT, null);
      await storage.setParameter(9001, JSON.stringify('Help desk'), AT, null);
      assert.equal((await storage.getParameters()).get(9001), '"Help desk"');
      await storage.setParameter(9001, null, AT, null);
      assert.equal((await storage.getParameters()).has(9001), false);
    });

    it('creates, updates, lists and deletes templates', async () => {
      const t = await storage.createTemplate(
        { name: 'T', subject: 'S', html: '<p>x</p>', text: null, active: false },
        AT,
      );
      assert.equal(t.active, false);
      const u = await storage.updateTemplate(
        t.id,
        { name: 'T2', subject: 'S2', html: '<p>y</p>', text: 'y', active: true },
        '2026-03-15T00:00:00.000Z',
      );
      assert.equal(u?.name, 'T2');
      assert.equal(u?.active, true);
      assert.equal(u?.updatedAt, '2026-03-15T00:00:00.000Z');
      assert.ok((await storage.listTemplates()).some((x) => x.id === t.id));
      assert.equal(
        await storage.updateTemplate(987_654, { name: 'x', subject: 'x', html: 'x', text: null, active: true }, AT),
        undefined,
      );
      assert.equal(await storage.deleteTemplate(t.id), true);
      assert.equal(await storage.deleteTemplate(t.id), false);
      assert.equal(await storage.findTemplate(t.id), undefined);
    });

    it('keeps only digests of sessions and API tokens, and forgets expired sessions', async () => {
      const user = await storage.createUser(newUser('session@example.test'), AT);
      await storage.createSession(
        'digest-1',
        { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-15T00:00:00.000Z' },
        AT,
      );
      await storage.createSession(
        'digest-2',
        { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
        AT,
      );
      assert.deepEqual(await storage.findSession('digest-1'), {
        userId: user.id,
        csrfHash: 'c',
        expiresAt: '2026-03-15T00:00:00.000Z',
      });
      assert.equal(await storage.deleteExpiredSessions('2026-03-16T00:00:00.000Z'), 1);
      assert.equal(await storage.findSession('digest-1'), undefined);
      await storage.deleteSession('digest-2');
      assert.equal(await storage.findSession('digest-2'), undefined);
      await storage.createApiToken(
        'token-digest',
        { userId: user.id, name: 'cli', scope: 'full', expiresAt: null },
        AT,
      );
      assert.equal(await storage.findApiTokenUser('token-digest'), user.id);
      assert.equal(await storage.findApiTokenUser('other'), undefined);
    });

    it('API tokens carry name, scope, expiry and last use; they are listed, revoked one by one or all of a user, and sessions end per user', async () => {
      const user = await storage.createUser(newUser('tokens@example.test'), AT);
      const other = await storage.createUser(newUser('tokens.other@example.test'), AT);
      const readId = await storage.createApiToken(
        't-read',
        { userId: user.id, name: 'Reports', scope: 'read', expiresAt: '2026-04-01T00:00:00.000Z' },
        AT,
      );
      const fullId = await storage.createApiToken(
        't-full',
        { userId: user.id, name: 'Deploy', scope: 'full', expiresAt: null },
        AT,
      );
      await storage.createApiToken('t-other', { userId: other.id, name: 'Other', scope: 'full', expiresAt: null }, AT);
      const found = await storage.findActor({ tokenHash: 't-read' });
      assert.equal(found?.user.id, user.id);
      assert.deepEqual(found?.token, {
        id: readId,
        userId: user.id,
        name: 'Reports',
        scope: 'read',
        createdAt: AT,
        expiresAt: '2026-04-01T00:00:00.000Z',
        lastUsedAt: null,
      });
      assert.deepEqual(
        (await storage.listApiTokens(user.id)).map((t) => [t.id, t.name, t.scope]),
        [
          [fullId, 'Deploy', 'full'],
          [readId, 'Reports', 'read'],
        ],
      );

      // Last use: written once, then not again before `notBefore` has passed it.
      await storage.touchApiToken(readId, '2026-03-14T16:00:00.000Z', '2026-03-14T15:59:00.000Z');
      await storage.touchApiToken(readId, '2026-03-14T16:00:30.000Z', '2026-03-14T15:59:30.000Z');
      assert.equal(
        (await storage.listApiTokens(user.id)).find((t) => t.id === readId)?.lastUsedAt,
        '2026-03-14T16:00:00.000Z',
      );
      await storage.touchApiToken(readId, '2026-03-14T16:01:00.000Z', '2026-03-14T16:00:00.000Z');
      assert.equal(
        (await storage.listApiTokens(user.id)).find((t) => t.id === readId)?.lastUsedAt,
        '2026-03-14T16:01:00.000Z',
      );

      assert.equal(await storage.deleteApiToken(other.id, readId), false, 'another user cannot revoke it');
      assert.equal(await storage.deleteApiToken(user.id, readId), true);
      assert.equal(await storage.findActor({ tokenHash: 't-read' }), undefined);
      assert.equal(await storage.deleteApiTokensOfUser(user.id), 1);
      assert.deepEqual(await storage.listApiTokens(user.id), []);
      assert.equal((await storage.listApiTokens(other.id)).length, 1, "the other user's token stays");

      for (const digest of ['s-1', 's-2', 's-3'])
        await storage.createSession(
          digest,
          { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
          AT,
        );
      await storage.createSession(
        's-other',
        { userId: other.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
        AT,
      );
      assert.equal(await storage.deleteSessionsOfUser(user.id, 's-2'), 2);
      assert.ok(await storage.findSession('s-2'));
      assert.equal(await storage.findSession('s-1'), undefined);
      assert.ok(await storage.findSession('s-other'));
      assert.equal(await storage.deleteSessionsOfUser(user.id, null), 1);
      assert.equal(await storage.findSession('s-2'), undefined);
    });

    // threat: A requester never learns that an internal note was written
    it('an internal note moves the staff activity time only; a public message and a ticket change move both', async () => {
      const req = await storage.createUser(newUser('activity.req@example.test'), AT);
      const tech = await storage.createUser(newUser('activity.tech@example.test', 'technician'), AT);
      const ticket = await storage.createTicket(
        {
          title: 'T',
          description: 'D',
          requesterId: req.id,
          contactName: null,
          registeredById: req.id,
          groupId: null,
          responsibleId: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        AT,
      );
      assert.equal(ticket.publicActivityAt, AT);
      const message = (text: string, internal: boolean, createdAt: string) => ({
        ticketId: ticket.id,
        authorId: tech.id,
        text,
        internal,
        sendEmail: false,
        source: 'desk' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt,
      });
      await storage.storeMessage(message('Note', true, '2026-03-14T16:00:00.000Z'), []);
      let read = await storage.findTicketByNumber(ticket.number);
      assert.equal(read?.lastActivityAt, '2026-03-14T16:00:00.000Z');
      assert.equal(read?.publicActivityAt, AT);
      await storage.storeMessage(message('Reply', false, '2026-03-14T17:00:00.000Z'), []);
      read = await storage.findTicketByNumber(ticket.number);
      assert.equal(read?.publicActivityAt, '2026-03-14T17:00:00.000Z');
      await storage.updateTicket(ticket.id, { status: 'in_progress' }, '2026-03-14T18:00:00.000Z');
      read = (await storage.listTickets({ kind: 'requester', requesterId: req.id }, {}, { limit: 10 })).items.find(
        (t) => t.id === ticket.id,
      );
      assert.equal(read?.publicActivityAt, '2026-03-14T18:00:00.000Z');
      assert.equal(read?.lastActivityAt, '2026-03-14T18:00:00.000Z');
    });

    it('stores inbound mail raw and byte-exact, lists it newest first by status and scope, and gives each mail one outcome', async () => {
      const req = await storage.createUser(newUser('in.req@example.test'), AT);
      const tech = await storage.createUser(newUser('in.tech@example.test', 'technician'), AT);
      const group = await storage.createGroup('Inbound group');
      const ticket = await storage.createTicket(
        {
          title: 'T',
          description: 'D',
          requesterId: req.id,
          contactName: null,
          registeredById: req.id,
          groupId: group.id,
          responsibleId: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        AT,
      );
      const raw = new Uint8Array([0, 1, 2, 13, 10, 46, 13, 10, 255, 0x80]); // NUL, CRLF.CRLF, high bytes
      const id = await storage.insertInboundMail(
        {
          raw,
          sha256: 'a'.repeat(64),
          envelopeFrom: '',
          envelopeTo: ['desk@x.test', 'reply+1.2.abc@x.test'],
          remoteAddress: '127.0.0.1',
        },
        AT,
      );
      assert.deepEqual(Buffer.from((await storage.inboundRaw(id))!), Buffer.from(raw));
      const mail = (await storage.findInboundMail(id))!;
      assert.deepEqual(
        [mail.status, mail.size, mail.envelopeFrom, mail.envelopeTo, mail.receivedAt, mail.attempts, mail.ticketId],
        ['received', raw.byteLength, '', ['desk@x.test', 'reply+1.2.abc@x.test'], AT, 0, null],
      );
      assert.equal(await storage.inboundRaw(987_654), undefined);
      assert.equal(await storage.findInboundMail(987_654), undefined);
      assert.ok((await storage.pendingInboundMail(1000)).includes(id));
      assert.equal(await storage.countInboundAttempt(id), 1);
      assert.equal(await storage.countInboundAttempt(id), 2);

      // Duplicate keys: the first claimer holds the key, again and again; another mail is told who holds it.
      const other = await storage.insertInboundMail(
        {
          raw: new Uint8Array([65]),
          sha256: 'b'.repeat(64),
          envelopeFrom: 'a@x.test',
          envelopeTo: [],
          remoteAddress: null,
        },
        AT,
      );
      assert.deepEqual(await storage.claimInboundMail(id, 'mid:<k@x>', null), { holder: id, recent: null });
      assert.deepEqual(await storage.claimInboundMail(id, 'mid:<k@x>', { key: 'in.req@example.test', since: AT }), {
        holder: id,
        recent: 0,
      });
      // A mail that does not hold its key is not counted against its sender.
      assert.deepEqual(await storage.claimInboundMail(other, 'mid:<k@x>', { key: 'in.req@example.test', since: AT }), {
        holder: id,
        recent: null,
      });

      // One outcome: only from the given states.
      const later = '2026-03-14T15:10:00.000Z';
      const posted = {
        status: 'posted' as const,
        reason: 'reply' as const,
        reasonText: 'ok',
        at: later,
        fromAddress: 'in.req@example.test',
        ticketId: ticket.id,
        text: 'hi',
        trimmed: '> old',
      };
      assert.equal(await storage.finishInboundMail(id, posted, ['received']), true);
      assert.equal(
        await storage.finishInboundMail(id, { ...posted, status: 'held', reason: 'no-match' }, ['received']),
        false,
      );
      const done = (await storage.findInboundMail(id))!;
      assert.deepEqual(
        [done.status, done.reason, done.ticketId, done.text, done.trimmed, done.updatedAt, done.fromAddress],
        ['posted', 'reply', ticket.id, 'hi', '> old', later, 'in.req@example.test'],
      );
      assert.ok(!(await storage.pendingInboundMail(1000)).includes(id));
      assert.equal(
        await storage.finishInboundMail(
          other,
          {
            status: 'held',
            reason: 'unknown-sender',
            reasonText: 'x',
            at: later,
            fromAddress: 'in.req@example.test',
            resolvedById: tech.id,
          },
          ['received'],
        ),
        true,
      );
      assert.deepEqual(
        [(await storage.findInboundMail(other))!.resolvedById, (await storage.findInboundMail(other))!.resolvedAt],
        [tech.id, later],
      );

      // Listing: newest first, by status, paged; a technician's scope sees their groups' tickets, and mail of no ticket
      // only when asked (the support mailbox's team).
      const all = await storage.listInboundMail({ scope: { kind: 'all' } }, { limit: 1 });
      assert.equal(all.items[0]!.id, other);
      assert.ok(all.nextCursor);
      assert.equal(
        (await storage.listInboundMail({ scope: { kind: 'all' } }, { limit: 1, cursor: all.nextCursor })).items[0]!.id,
        id,
      );
      assert.deepEqual(
        (await storage.listInboundMail({ status: 'held', scope: { kind: 'all' } }, { limit: 10 })).items.map(
          (m) => m.id,
        ),
        [other],
      );
      const inGroup = await storage.listInboundMail(
        { scope: { kind: 'technician', userId: tech.id, groupIds: [group.id] } },
        { limit: 100 },
      );
      assert.ok(inGroup.items.some((m) => m.id === id));
      assert.ok(!inGroup.items.some((m) => m.id === other), 'mail of no ticket: not without withoutTicket');
      const outside = await storage.listInboundMail(
        { scope: { kind: 'technician', userId: tech.id, groupIds: [] }, withoutTicket: true },
        { limit: 100 },
      );
      assert.ok(!outside.items.some((m) => m.id === id), 'a ticket the technician cannot see');
      assert.ok(
        outside.items.some((m) => m.id === other),
        'mail of no ticket',
      );

      // The sender of a mail, found by email with their groups in one read.
      await storage.addGroupMember(group.id, tech.id);
      const found = await storage.findActor({ email: 'in.tech@example.test' });
      assert.deepEqual([found?.user.id, found?.groupIds, found?.session], [tech.id, [group.id], null]);
      assert.equal(await storage.findActor({ email: 'nobody@example.test' }), undefined);

      // A message an inbound mail became: stored with the mail's outcome in one write, or not at all once decided.
      const pending = await storage.insertInboundMail(
        { raw: new Uint8Array([68]), sha256: 'e'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const byMail = {
        ticketId: ticket.id,
        authorId: req.id,
        text: 'By mail',
        internal: false,
        sendEmail: true,
        source: 'email' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt: later,
      };
      const reply = {
        status: 'posted' as const,
        reason: 'reply' as const,
        reasonText: 'ok',
        at: later,
        ticketId: ticket.id,
      };
      const threadBefore = (await storage.listMessages(ticket.id, true)).length;
      const stored = await storage.storeInboundMessage(byMail, [], {
        id: pending,
        outcome: reply,
        fromStatuses: ['received'],
      });
      assert.ok(stored);
      const posted2 = (await storage.findInboundMail(pending))!;
      assert.deepEqual([posted2.status, posted2.messageId, posted2.ticketId], ['posted', stored.messageId, ticket.id]);
      assert.equal(
        await storage.storeInboundMessage(byMail, [], { id: pending, outcome: reply, fromStatuses: ['received'] }),
        undefined,
      );
      assert.deepEqual((await storage.listMessages(ticket.id, true)).map((m) => m.id).slice(threadBefore), [
        stored.messageId,
      ]);

      // Per sender key and time window: the decided mail claimed under the key counts (not the one that lost its
      // duplicate key); a claimer counts itself for those after it, once.
      const third = await storage.insertInboundMail(
        { raw: new Uint8Array([66]), sha256: 'c'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const fourth = await storage.insertInboundMail(
        { raw: new Uint8Array([67]), sha256: 'd'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const sender = { key: 'in.req@example.test', since: AT };
      assert.deepEqual(await storage.claimInboundMail(third, 'mid:<third@x>', sender), { holder: third, recent: 1 });
      assert.deepEqual(await storage.claimInboundMail(third, 'mid:<third@x>', sender), { holder: third, recent: 1 });
      // Counted by key: the same address unproven (`unverified:`) is another sender.
      assert.deepEqual(
        await storage.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), {
          key: 'unverified:in.req@example.test',
          since: AT,
        }),
        { holder: fourth, recent: 0 },
      );
      assert.deepEqual(
        await storage.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), {
          ...sender,
          since: '2026-03-14T16:00:00.000Z',
        }),
        { holder: fourth, recent: 0 },
      );
      assert.deepEqual(
        await storage.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), { key: 'other@example.test', since: AT }),
        { holder: fourth, recent: 0 },
      );
      // A mail that already holds another key of its own (an earlier attempt read it differently) is no duplicate:
      // it counts as the holder and is counted against its sender, on both databases alike.
      assert.deepEqual(
        await storage.claimInboundMail(fourth, 'mid:<fourth-read-again@x>', {
          ...sender,
          since: '2026-03-14T16:00:00.000Z',
        }),
        { holder: fourth, recent: 0 },
      );
      await storage.finishInboundMail(third, { status: 'held', reason: 'no-match', reasonText: 'x', at: later }, [
        'received',
      ]);
      await storage.finishInboundMail(fourth, { status: 'held', reason: 'no-match', reasonText: 'x', at: later }, [
        'received',
      ]);
    });

    it('finds notifications by Message-ID and records a bounce as a failed attempt', async () => {
      const user = await storage.createUser(newUser('bounce@example.test'), AT);
      const ticket = await storage.createTicket(
        {
          title: 'T',
          description: 'D',
          requesterId: user.id,
          contactName: null,
          registeredById: user.id,
          groupId: null,
          responsibleId: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        AT,
      );
      const stored = await storage.storeMessage(
        {
          ticketId: ticket.id,
          authorId: user.id,
          text: 'x',
          internal: false,
          sendEmail: true,
          source: 'portal',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: AT,
        },
        [
          {
            ticketId: ticket.id,
            recipientId: user.id,
            toAddress: 'bounce@example.test',
            toName: 'B',
            subject: 's',
            html: 'h',
            text: 't',
            messageIdHeader: '<parley.bounce.1@x.test>',
            threadId: null,
            replyTo: null,
          },
        ],
      );
      const [ref] = await storage.outboxByMessageIds(['<parley.bounce.1@x.test>', '<other@x.test>']);
      assert.deepEqual(ref, {
        id: stored.outboxIds[0],
        ticketId: ticket.id,
        recipientId: user.id,
        messageIdHeader: '<parley.bounce.1@x.test>',
        status: 'queued',
      });
      assert.deepEqual(await storage.outboxByMessageIds([]), []);
      const ok = await storage.transaction((tx) =>
        tx.recordOutboxBounce(stored.outboxIds[0]!, '2026-03-14T16:00:00.000Z', 'status 5.1.1; User unknown'),
      );
      assert.equal(ok, true);
      const entry = (await storage.findOutboxEntry(stored.outboxIds[0]!))!;
      assert.deepEqual(
        [entry.status, entry.lastReply, entry.nextAttemptAt],
        ['failed', 'status 5.1.1; User unknown', null],
      );
      assert.deepEqual(entry.attempts.at(-1), {
        at: '2026-03-14T16:00:00.000Z',
        result: 'bounced',
        reply: 'status 5.1.1; User unknown',
      });
      assert.equal(await storage.transaction((tx) => tx.recordOutboxBounce(987_654, AT, 'x')), false);
    });
    it('stores attachments byte-exact under their ids, with their message in one transaction, and links a held mail’s', async () => {
      const user = await storage.createUser(newUser('attach@example.test'), AT);
      const ticket = await storage.createTicket(
        {
          title: 'T',
          description: 'D',
          requesterId: user.id,
          contactName: null,
          registeredById: user.id,
          groupId: null,
          responsibleId: null,
          demandType: null,
          activity: null,
          relatedService: null,
          portfolio: null,
          category: null,
        },
        AT,
      );
      const mailId = await storage.insertInboundMail(
        { raw: new Uint8Array([65]), sha256: 'c'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const content = new Uint8Array(70_000).map((_, i) => (i * 7) % 256); // every byte value, NUL included
      const file = (
        id: string,
        name: string,
        bytes: Uint8Array,
        messageId: number | null,
        ticketId: number | null,
      ) => ({
        id,
        ticketId,
        messageId,
        inboundMailId: mailId,
        name,
        contentType: 'application/pdf',
        size: bytes.byteLength,
        sha256: 'd'.repeat(64),
        inline: false,
        content: bytes,
      });
      const row = {
        ticketId: ticket.id,
        authorId: user.id,
        text: 'with files',
        internal: false,
        sendEmail: false,
        source: 'email' as const,
        timeSpentMinutes: null,
        timeSpentDate: null,
        createdAt: AT,
      };
      const { messageId } = await storage.transaction(async (tx) => {
        const stored = await tx.storeMessage(row, []);
        await tx.insertAttachments(
          [
            file('contract-att-1-aaaaaaaa', 'Relatório.pdf', content, stored.messageId, ticket.id),
            file('contract-att-2-aaaaaaaa', 'b.txt', new Uint8Array([0, 255]), stored.messageId, ticket.id),
          ],
          AT,
        );
        return stored;
      });
      const listed = await storage.attachmentsOfMessages([messageId, 987_654]);
      assert.deepEqual(
        listed.map((a) => [
          a.id,
          a.name,
          a.size,
          a.contentType,
          a.messageId,
          a.ticketId,
          a.inboundMailId,
          a.inline,
          a.createdAt,
        ]),
        [
          [
            'contract-att-1-aaaaaaaa',
            'Relatório.pdf',
            70_000,
            'application/pdf',
            messageId,
            ticket.id,
            mailId,
            false,
            AT,
          ],
          ['contract-att-2-aaaaaaaa', 'b.txt', 2, 'application/pdf', messageId, ticket.id, mailId, false, AT],
        ],
      );
      assert.deepEqual(await storage.attachmentsOfMessages([]), []);
      assert.deepEqual(
        Buffer.from((await storage.attachmentContent('contract-att-1-aaaaaaaa'))!),
        Buffer.from(content),
      );
      assert.equal(await storage.attachmentContent('nope'), undefined);
      const found = (await storage.findAttachment('contract-att-2-aaaaaaaa'))!;
      assert.deepEqual([found.internal, found.ticketId, found.sha256], [false, ticket.id, 'd'.repeat(64)]);
      assert.equal(await storage.findAttachment('nope'), undefined);
      // The same id twice is refused.
      await assert.rejects(
        storage.transaction((tx) =>
          tx.insertAttachments([file('contract-att-1-aaaaaaaa', 'x', new Uint8Array([1]), messageId, ticket.id)], AT),
        ),
      );

      // A failing transaction stores neither the message nor its attachments.
      await assert.rejects(
        storage.transaction(async (tx) => {
          const stored = await tx.storeMessage(row, []);
          await tx.insertAttachments(
            [file('contract-att-3-aaaaaaaa', 'c', new Uint8Array([1]), stored.messageId, ticket.id)],
            AT,
          );
          throw new Error('crash after the attachments');
        }),
      );
      assert.equal(await storage.findAttachment('contract-att-3-aaaaaaaa'), undefined);
      assert.equal((await storage.listMessages(ticket.id, true)).length, 1);

      // A held mail's attachments: kept with no ticket or message, then linked (once) to the message it becomes.
      await storage.insertAttachments(
        [file('contract-att-4-aaaaaaaa', 'held.bin', new Uint8Array([9]), null, null)],
        AT,
      );
      assert.deepEqual((await storage.findAttachment('contract-att-4-aaaaaaaa'))!.internal, null);
      const note = await storage.transaction(async (tx) => {
        const stored = await tx.storeMessage({ ...row, internal: true }, []);
        assert.equal(await tx.linkInboundAttachments(mailId, ticket.id, stored.messageId), 1);
        return stored;
      });
      assert.equal(await storage.linkInboundAttachments(mailId, ticket.id, note.messageId), 0);
      const linked = (await storage.findAttachment('contract-att-4-aaaaaaaa'))!;
      assert.deepEqual([linked.messageId, linked.ticketId, linked.internal], [note.messageId, ticket.id, true]);
      assert.deepEqual((await storage.attachmentsOfInboundMail(mailId)).map((a) => a.id).sort(), [
        'contract-att-1-aaaaaaaa',
        'contract-att-2-aaaaaaaa',
        'contract-att-4-aaaaaaaa',
      ]);
      // Only attachments in no thread are removed with a discarded mail.
      await storage.insertAttachments(
        [file('contract-att-5-aaaaaaaa', 'spam.exe', new Uint8Array([1]), null, null)],
        AT,
      );
      assert.equal(await storage.deleteUnlinkedInboundAttachments(mailId), 1);
      assert.equal(await storage.findAttachment('contract-att-5-aaaaaaaa'), undefined);
      assert.ok(await storage.findAttachment('contract-att-4-aaaaaaaa'));

      // The skipped-attachments note of an inbound mail.
      assert.equal((await storage.findInboundMail(mailId))!.attachmentNote, null);
      await storage.finishInboundMail(
        mailId,
        {
          status: 'held',
          reason: 'no-match',
          reasonText: 'x',
          at: AT,
          attachmentNote: '[1 attachment was not kept: a.zip (40 MB, too large)]',
        },
        ['received'],
      );
      assert.equal(
        (await storage.findInboundMail(mailId))!.attachmentNote,
        '[1 attachment was not kept: a.zip (40 MB, too large)]',
      );
    });
  });
}
