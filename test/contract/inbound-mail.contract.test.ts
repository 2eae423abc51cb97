/**
 * The storage contract of inbound mail, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, inbound mail, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('stores inbound mail raw and byte-exact, lists it newest first by status and scope, and gives each mail one outcome', async () => {
      const req = await storage.people.createUser(newUser('in.req@example.test'), AT);
      const tech = await storage.people.createUser(newUser('in.tech@example.test', 'technician'), AT);
      const group = await storage.people.createGroup('Inbound group');
      const ticket = await storage.tickets.createTicket(
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
      const id = await storage.inbound.insertInboundMail(
        {
          raw,
          sha256: 'a'.repeat(64),
          envelopeFrom: '',
          envelopeTo: ['desk@x.test', 'reply+1.2.abc@x.test'],
          remoteAddress: '127.0.0.1',
        },
        AT,
      );
      assert.deepEqual(Buffer.from((await storage.inbound.inboundRaw(id))!), Buffer.from(raw));
      const mail = (await storage.inbound.findInboundMail(id))!;
      assert.deepEqual(
        [mail.status, mail.size, mail.envelopeFrom, mail.envelopeTo, mail.receivedAt, mail.attempts, mail.ticketId],
        ['received', raw.byteLength, '', ['desk@x.test', 'reply+1.2.abc@x.test'], AT, 0, null],
      );
      assert.equal(await storage.inbound.inboundRaw(987_654), undefined);
      assert.equal(await storage.inbound.findInboundMail(987_654), undefined);
      assert.ok((await storage.inbound.pendingInboundMail(AT, 1000)).includes(id));
      assert.equal(await storage.inbound.countInboundAttempt(id), 1);
      assert.equal(await storage.inbound.countInboundAttempt(id), 2);

      // Duplicate keys: the first claimer holds the key, again and again; another mail is told who holds it.
      const other = await storage.inbound.insertInboundMail(
        {
          raw: new Uint8Array([65]),
          sha256: 'b'.repeat(64),
          envelopeFrom: 'a@x.test',
          envelopeTo: [],
          remoteAddress: null,
        },
        AT,
      );
      assert.deepEqual(await storage.inbound.claimInboundMail(id, 'mid:<k@x>', null), { holder: id, recent: null });
      assert.deepEqual(
        await storage.inbound.claimInboundMail(id, 'mid:<k@x>', { key: 'in.req@example.test', since: AT, cap: 20 }),
        {
          holder: id,
          recent: 0,
        },
      );
      // A mail that does not hold its key is not counted against its sender.
      assert.deepEqual(
        await storage.inbound.claimInboundMail(other, 'mid:<k@x>', { key: 'in.req@example.test', since: AT, cap: 20 }),
        {
          holder: id,
          recent: null,
        },
      );

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
      assert.equal(await storage.inbound.finishInboundMail(id, posted, ['received']), true);
      assert.equal(
        await storage.inbound.finishInboundMail(id, { ...posted, status: 'held', reason: 'no-match' }, ['received']),
        false,
      );
      const done = (await storage.inbound.findInboundMail(id))!;
      assert.deepEqual(
        [done.status, done.reason, done.ticketId, done.text, done.trimmed, done.updatedAt, done.fromAddress],
        ['posted', 'reply', ticket.id, 'hi', '> old', later, 'in.req@example.test'],
      );
      assert.ok(!(await storage.inbound.pendingInboundMail(AT, 1000)).includes(id));
      assert.equal(
        await storage.inbound.finishInboundMail(
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
        [
          (await storage.inbound.findInboundMail(other))!.resolvedById,
          (await storage.inbound.findInboundMail(other))!.resolvedAt,
        ],
        [tech.id, later],
      );

      // Listing: newest first, by status, paged; a technician's scope sees their groups' tickets, and mail of no ticket
      // only when asked (the support mailbox's team).
      const all = await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 1 });
      assert.equal(all.items[0]!.id, other);
      assert.ok(all.nextCursor);
      assert.equal(
        (await storage.inbound.listInboundMail({ scope: { kind: 'all' } }, { limit: 1, cursor: all.nextCursor }))
          .items[0]!.id,
        id,
      );
      assert.deepEqual(
        (await storage.inbound.listInboundMail({ status: 'held', scope: { kind: 'all' } }, { limit: 10 })).items.map(
          (m) => m.id,
        ),
        [other],
      );
      const inGroup = await storage.inbound.listInboundMail(
        { scope: { kind: 'technician', userId: tech.id, groupIds: [group.id] } },
        { limit: 100 },
      );
      assert.ok(inGroup.items.some((m) => m.id === id));
      assert.ok(!inGroup.items.some((m) => m.id === other), 'mail of no ticket: not without withoutTicket');
      const outside = await storage.inbound.listInboundMail(
        { scope: { kind: 'technician', userId: tech.id, groupIds: [] }, withoutTicket: true },
        { limit: 100 },
      );
      assert.ok(!outside.items.some((m) => m.id === id), 'a ticket the technician cannot see');
      assert.ok(
        outside.items.some((m) => m.id === other),
        'mail of no ticket',
      );

      // The sender of a mail, found by email with their groups in one read.
      await storage.people.addGroupMember(group.id, tech.id);
      const found = await storage.people.findActor({ email: 'in.tech@example.test' });
      assert.deepEqual([found?.user.id, found?.groupIds, found?.session], [tech.id, [group.id], null]);
      assert.equal(await storage.people.findActor({ email: 'nobody@example.test' }), undefined);

      // A message an inbound mail became: stored with the mail's outcome in one write, or not at all once decided.
      const pending = await storage.inbound.insertInboundMail(
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
      const threadBefore = (await storage.messages.listMessages(ticket.id, true)).length;
      const stored = await storage.atomic.storeInboundMessage(byMail, [], {
        id: pending,
        outcome: reply,
        fromStatuses: ['received'],
      });
      assert.ok(stored);
      const posted2 = (await storage.inbound.findInboundMail(pending))!;
      assert.deepEqual([posted2.status, posted2.messageId, posted2.ticketId], ['posted', stored.messageId, ticket.id]);
      assert.equal(
        await storage.atomic.storeInboundMessage(byMail, [], {
          id: pending,
          outcome: reply,
          fromStatuses: ['received'],
        }),
        undefined,
      );
      // Inside a transaction too: the decided mail stores nothing, and the transaction's other writes stay.
      const inTransaction = await storage.transaction(async (tx) => {
        await tx.settings.setParameter(9001, JSON.stringify('Kept'), later, null);
        return tx.atomic.storeInboundMessage(byMail, [], { id: pending, outcome: reply, fromStatuses: ['received'] });
      });
      assert.equal(inTransaction, undefined);
      assert.equal((await storage.settings.getParameters()).get(9001), JSON.stringify('Kept'));
      assert.deepEqual((await storage.messages.listMessages(ticket.id, true)).map((m) => m.id).slice(threadBefore), [
        stored.messageId,
      ]);

      // Per sender key and time window: the decided mail claimed under the key counts (not the one that lost its
      // duplicate key); a claimer counts itself for those after it, once.
      const third = await storage.inbound.insertInboundMail(
        { raw: new Uint8Array([66]), sha256: 'c'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const fourth = await storage.inbound.insertInboundMail(
        { raw: new Uint8Array([67]), sha256: 'd'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      const sender = { key: 'in.req@example.test', since: AT, cap: 20 };
      assert.deepEqual(await storage.inbound.claimInboundMail(third, 'mid:<third@x>', sender), {
        holder: third,
        recent: 1,
      });
      assert.deepEqual(await storage.inbound.claimInboundMail(third, 'mid:<third@x>', sender), {
        holder: third,
        recent: 1,
      });
      // Counted by key: the same address unproven (`unverified:`) is another sender.
      assert.deepEqual(
        await storage.inbound.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), {
          key: 'unverified:in.req@example.test',
          since: AT,
          cap: 20,
        }),
        { holder: fourth, recent: 0 },
      );
      assert.deepEqual(
        await storage.inbound.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), {
          ...sender,
          since: '2026-03-14T16:00:00.000Z',
        }),
        { holder: fourth, recent: 0 },
      );
      assert.deepEqual(
        await storage.inbound.claimInboundMail(fourth, 'sha256:' + 'd'.repeat(64), {
          key: 'other@example.test',
          since: AT,
          cap: 20,
        }),
        { holder: fourth, recent: 0 },
      );
      // A mail that already holds another key of its own (an earlier attempt read it differently) is no duplicate:
      // it counts as the holder and is counted against its sender, on both databases alike.
      assert.deepEqual(
        await storage.inbound.claimInboundMail(fourth, 'mid:<fourth-read-again@x>', {
          ...sender,
          since: '2026-03-14T16:00:00.000Z',
        }),
        { holder: fourth, recent: 0 },
      );
      await storage.inbound.finishInboundMail(
        third,
        { status: 'held', reason: 'no-match', reasonText: 'x', at: later },
        ['received'],
      );
      await storage.inbound.finishInboundMail(
        fourth,
        { status: 'held', reason: 'no-match', reasonText: 'x', at: later },
        ['received'],
      );

      // threat: A flood of mail from one sender
      // Counted up to the cap only: whether it is reached is all that is asked, so a flood's mails do not each count
      // all the others.
      const flood = { key: 'flood@example.test', since: AT, cap: 2 };
      const recents = [];
      for (const n of [1, 2, 3, 4]) {
        const mail = await storage.inbound.insertInboundMail(
          {
            raw: new Uint8Array([n]),
            sha256: `f${n}`.repeat(32),
            envelopeFrom: null,
            envelopeTo: [],
            remoteAddress: null,
          },
          AT,
        );
        recents.push((await storage.inbound.claimInboundMail(mail, `mid:<flood.${n}@x>`, flood)).recent);
      }
      assert.deepEqual(recents, [0, 1, 2, 2]);

      // A mail an erasure emptied between its attempt's start and its claim: the claim writes none of its keys back.
      const emptied = await storage.inbound.insertInboundMail(
        { raw: new Uint8Array([9]), sha256: 'e'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
        AT,
      );
      await storage.inbound.eraseInboundMailOf({ ids: [emptied] }, later);
      for (const sent of [null, flood])
        assert.equal((await storage.inbound.claimInboundMail(emptied, 'mid:<nina.1@x>', sent)).holder, emptied);
      const keys = await storage.kyselyInstance
        .selectFrom('inbound_mail')
        .select(['dedupe_key', 'sender_key'])
        .where('id', '=', emptied)
        .executeTakeFirstOrThrow();
      assert.deepEqual(keys, { dedupe_key: null, sender_key: null });
    });

    it('leases: a leased mail is neither pending nor begun by another until its lease passes; renewal and release reach only its holder; of two beginning at once, one does', async () => {
      const at = (s: number) => new Date(Date.parse(AT) + s * 1000).toISOString();
      let n = 0;
      const store = (attempts?: number, lease?: { token: string; until: string }) =>
        storage.inbound.insertInboundMail(
          {
            raw: new Uint8Array([76, ++n]),
            sha256: `lease.${n}`,
            envelopeFrom: null,
            envelopeTo: [],
            remoteAddress: null,
          },
          AT,
          attempts,
          lease,
        );
      const pending = async (now: string, ids: number[]) =>
        (await storage.inbound.pendingInboundMail(now, 1000)).filter((id) => ids.includes(id));
      const attemptsOf = async (id: number) => (await storage.inbound.findInboundMail(id))!.attempts;

      // Handed over at receipt: leased to its process (token one) until +10 s. Stored without a lease (as before
      // migration 037): anyone's at once.
      const held = await store(1, { token: 'one', until: at(10) });
      const free = await store();
      assert.deepEqual(await pending(at(0), [held, free]), [free]);
      const nextEnd = async (now: string) => {
        const end = await storage.inbound.nextInboundLeaseEnd(now);
        return end === null ? null : new Date(end).toISOString();
      };
      assert.equal(await nextEnd(at(0)), at(10), 'the first lease still held ends then');
      const refused = await storage.inbound.beginInboundAttempt(held, at(5), { token: 'two', until: at(15) });
      assert.deepEqual([refused?.raw, refused?.mail.status, refused?.mail.attempts], [null, 'received', 1]);

      // Renewed by its holder (a stranger's renewal reaches nothing): still held past the first lease, then free.
      assert.equal(await storage.inbound.renewInboundLeases('one', at(20)), 1);
      assert.equal(await storage.inbound.renewInboundLeases('stranger', at(99)), 0);
      assert.deepEqual(await pending(at(15), [held]), []);
      assert.equal(await nextEnd(at(15)), at(20));
      assert.deepEqual(await pending(at(21), [held]), [held]);
      assert.equal(await nextEnd(at(21)), null, 'no lease held any more');

      // Begun by another once it passed: counted, its bytes returned, leased to the new holder; the old one's
      // renewals and releases no longer reach it.
      const begun = await storage.inbound.beginInboundAttempt(held, at(21), { token: 'two', until: at(31) });
      assert.deepEqual([Array.from(begun!.raw!), begun!.mail.attempts], [[76, 1], 2]);
      assert.equal(await storage.inbound.renewInboundLeases('one', at(99)), 0);
      await storage.inbound.releaseInboundAttempts([held], 'one');
      await storage.inbound.releaseInboundLease(held, 'one', at(22));
      assert.equal(await attemptsOf(held), 2);
      assert.deepEqual(await pending(at(30), [held]), []);

      // Its processing failed: the holder gives the lease up until a retry time, and renews it no more.
      await storage.inbound.releaseInboundLease(held, 'two', at(60));
      assert.equal(await storage.inbound.renewInboundLeases('two', at(99)), 0);
      assert.deepEqual(await pending(at(59), [held]), []);
      assert.deepEqual(await pending(at(61), [held]), [held]);

      // A stop gives back the attempt and the lease of mail handed over but never started: pending at once.
      const unstarted = await store(1, { token: 'three', until: at(10) });
      await storage.inbound.releaseInboundAttempts([unstarted], 'three');
      assert.equal(await attemptsOf(unstarted), 0);
      assert.deepEqual(await pending(at(0), [unstarted]), [unstarted]);

      // Two processes beginning the same mails at once: each mail is begun by one of them, counted once.
      const race = await Promise.all([0, 1, 2, 3, 4, 5].map(() => store()));
      const outcomes = await Promise.all(
        race.flatMap((id) =>
          ['a', 'b'].map((token) => storage.inbound.beginInboundAttempt(id, at(0), { token, until: at(10) })),
        ),
      );
      for (const [k, id] of race.entries()) {
        const begunBy = outcomes.slice(2 * k, 2 * k + 2).filter((o) => o?.raw !== null);
        assert.equal(begunBy.length, 1, `mail ${id} begun once`);
        assert.equal(await attemptsOf(id), 1);
      }
    });
  });
}
