/**
 * A write already in flight from a person when they are erased or deactivated: their actor was loaded before, the
 * message is written after. The write itself checks that its author is still active and not erased (SQLite: in its
 * transaction; PostgreSQL: in its one statement, the author's row locked), so nothing is stored: no message, no mail,
 * no webhook delivery. By the API, by the desk and by mail; on PostgreSQL also an erasure committing while the post
 * waits for the person's row. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { sql } from 'kysely';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { DomainError } from '../../src/domain/errors.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { replyAddress } from '../../src/domain/notifications/reply-address.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { editUser } from '../../src/domain/users/edit-user.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { rawMail, storeMail } from '../support/stored-mail.ts';
import { testSenderVerifier, verified } from '../support/sender.ts';
import { postgres, sqliteFile, type TestDatabase } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const TEXT = 'Written before the erasure, stored after it: LATE-80451.';

/** How many messages, mails and webhook deliveries there are. */
async function written(storage: SqlStorage) {
  const count = async (table: 'ticket' | 'ticket_message' | 'outbox_entry' | 'webhook_delivery') =>
    Number(
      (
        await storage.kyselyInstance
          .selectFrom(table)
          .select((eb) => eb.fn.countAll().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  return {
    tickets: await count('ticket'),
    messages: await count('ticket_message'),
    mails: await count('outbox_entry'),
    deliveries: await count('webhook_delivery'),
  };
}

/** The error a promise was refused with, or 'stored'. */
const outcomeOf = (work: Promise<unknown>) =>
  work.then(
    () => 'stored' as const,
    (error: unknown) => error,
  );

function assertRefused(outcome: unknown, code: string) {
  assert.ok(outcome instanceof DomainError, `refused with a DomainError, not ${String(outcome)}`);
  assert.equal(outcome.code, code, outcome.message);
}

/** `storage` whose `people.findActor` runs `meanwhile` once, after reading the person and before answering. */
function afterFindingActor(storage: SqlStorage, meanwhile: () => Promise<unknown>): SqlStorage {
  let ran = false;
  const people = new Proxy(storage.people, {
    get(target, key) {
      if (key === 'findActor')
        return async (...args: Parameters<SqlStorage['people']['findActor']>) => {
          const found = await target.findActor(...args);
          if (!ran) {
            ran = true;
            await meanwhile();
          }
          return found;
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'people') return people;
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

/** `storage` whose transactions stay open once their work is done, until `commit()`: `done` says when one is. */
function holdingCommit(storage: SqlStorage) {
  let commit!: () => void;
  const committing = new Promise<void>((resolve) => (commit = resolve));
  let finished!: () => void;
  const done = new Promise<void>((resolve) => (finished = resolve));
  const held = new Proxy(storage, {
    get(target, key) {
      if (key === 'transaction')
        return <T>(work: Parameters<SqlStorage['transaction']>[0]) =>
          target.transaction(async (tx) => {
            const result = (await work(tx)) as T;
            finished();
            await committing;
            return result;
          });
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return { storage: held, done, commit };
}

/** PostgreSQL: until a statement of this database waits for a lock (`what`, for the failure's message). */
const someoneWaitsForALock = (storage: SqlStorage, what: string) =>
  waitUntil(async () => {
    const { rows } = await sql<{ n: number }>`select count(*)::int as n from pg_stat_activity
      where datname = current_database() and wait_event_type = 'Lock'`.execute(storage.kyselyInstance);
    return rows[0]!.n > 0;
  }, `${what} waiting for a lock`);

const INBOUND_POLICY = { perSenderPerMinute: 1000, maxAttempts: 5 };

for (const database of [sqliteFile, postgres] as TestDatabase[]) {
  describe(`a write in flight when its author is erased or deactivated, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let w: World;
    let seq = 0;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      w = await buildWorld(deps);
    });
    after(async () => {
      await storage.close();
      await drop();
    });

    /** A new requester with a ticket of their own, and their actor as a request loaded it. */
    async function requesterWithTicket(): Promise<{ actor: Actor; ticketNumber: number }> {
      seq++;
      const email = `late.writer.${seq}@example.org`;
      const id = (
        await createUser(deps, CLI_ORIGIN, {
          role: 'requester',
          email,
          name: `Leocádia Tardia ${seq}`,
          password: TEST_PASSWORD,
        })
      ).id;
      const actor = (await loadActor(storage, id))!;
      const ticket = await openTicket(deps, actor, { title: 'Badge', description: 'It fails.', groupId: w.groupA });
      return { actor, ticketNumber: ticket.number };
    }

    const erase = (actor: Actor) => eraseRequester(deps, CLI_ORIGIN, actor.id, { confirmEmail: actor.email });

    // threat: A message or a new ticket in flight from a person when they are erased or deactivated
    it('a post by an actor loaded before the erasure is refused and stores nothing (one write, then a transaction)', async () => {
      const { actor, ticketNumber } = await requesterWithTicket();
      await erase(actor);
      const before = await written(storage);
      // No webhook endpoint: the message and its mails in one atomic write (SQLite's group commit, PostgreSQL's one
      // statement).
      const alone = await outcomeOf(postMessage(deps, actor, { ticketNumber, text: TEXT, source: 'portal' }));
      assertRefused(alone, 'USER_ALREADY_ERASED');
      assert.deepEqual(await written(storage), before, 'no message, mail or webhook delivery');
      // With an endpoint: the message, its mails and the `message.created` delivery in one transaction.
      await endpointForEveryEvent(deps);
      const withHooks = await outcomeOf(postMessage(deps, actor, { ticketNumber, text: TEXT, source: 'portal' }));
      assertRefused(withHooks, 'USER_ALREADY_ERASED');
      assert.deepEqual(await written(storage), before, 'no message, mail or webhook delivery');
      assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'LATE-80451']), []);
    });

    it('a post by a technician deactivated since their actor was loaded is refused and stores nothing', async () => {
      seq++;
      const tech = (await loadActor(
        storage,
        (
          await createUser(deps, CLI_ORIGIN, {
            role: 'technician',
            email: `leaving.tech.${seq}@example.test`,
            name: 'Tomás Saindo',
            password: TEST_PASSWORD,
            groupIds: [w.groupA],
          })
        ).id,
      ))!;
      await editUser(deps, CLI_ORIGIN, w.admin, tech.id, { active: false });
      const before = await written(storage);
      for (const internal of [false, true]) {
        const outcome = await outcomeOf(
          postMessage(deps, tech, { ticketNumber: w.ticketA.number, text: TEXT, internal, source: 'desk' }),
        );
        assertRefused(outcome, 'FORBIDDEN');
      }
      assert.deepEqual(await written(storage), before, 'no message, mail or webhook delivery');
    });

    it('by the API: a request authenticated before the erasure answers 409 with the code and a sentence', async () => {
      const { actor, ticketNumber } = await requesterWithTicket();
      // The erasure commits between the request's authentication and its write (as it reads the ticket).
      let erased = false;
      const tickets = new Proxy(storage.tickets, {
        get(target, key) {
          const value = Reflect.get(target, key) as unknown;
          if (key !== 'findTicketByNumber' || typeof value !== 'function') return value;
          return async (...args: unknown[]) => {
            const found = await (value as (...a: unknown[]) => Promise<unknown>).apply(target, args);
            if (!erased) {
              erased = true;
              await erase(actor);
            }
            return found;
          };
        },
      });
      const racing = new Proxy(storage, {
        get(target, key) {
          if (key === 'tickets') return tickets;
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const app = await testApp({ ...deps, storage: racing });
      try {
        const person = await signIn(app, actor.email);
        const before = await written(storage);
        const response = await person.post(`/api/v1/tickets/${ticketNumber}/messages`, { text: TEXT });
        assert.ok(erased, 'the erasure ran while the request was in flight');
        assert.equal(response.statusCode, 409, response.body);
        assert.equal(response.json().code, 'USER_ALREADY_ERASED');
        assert.match(response.json().message, /erased/);
        // (The erasure deleted the webhook deliveries about their ticket: none names the message, below.)
        const now = await written(storage);
        assert.equal(now.messages, before.messages, 'no message');
        assert.equal(now.mails, before.mails, 'no mail');
        assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'LATE-80451']), []);
      } finally {
        await app.close();
      }
    });

    /** A reply by mail from `actor` to their ticket, signed for them, sent through another envelope sender. */
    async function replyFrom(actor: Actor, ticketNumber: number, marker: string) {
      const to = replyAddress(deps.signer, 'desk.example.test', ticketNumber, actor.id);
      const raw = rawMail([
        `From: "${actor.name}" <${actor.email}>`,
        `To: ${to}`,
        `Subject: Re: [#${ticketNumber}] Badge`,
        `Message-ID: <late.${database.name}.${marker}@mail.example.org>`,
        '',
        `Still broken, see ${marker}.`,
      ]);
      // A mailing service's bounce address, not theirs: only the From names them.
      return storeMail(deps, raw, {
        from: `bounces+${marker}@relay.example.net`,
        to: [to],
        remoteAddress: '192.0.2.7',
      });
    }

    it('a reply by mail whose sender is erased while it is processed is not posted and keeps nothing of them', async () => {
      const { actor, ticketNumber } = await requesterWithTicket();
      const id = await replyFrom(actor, ticketNumber, 'MAILED-30727');
      const before = await written(storage);
      const racing = afterFindingActor(storage, () => erase(actor));
      const done = await processInboundMail(
        { ...deps, storage: racing, mailParser: new MailparserMailParser(), policy: INBOUND_POLICY },
        id,
      );
      assert.notEqual(done?.status, 'posted', JSON.stringify(done));
      // (The erasure deleted the webhook deliveries about their ticket: none names the reply, below.)
      const now = await written(storage);
      assert.equal(now.messages, before.messages, 'no message');
      assert.equal(now.mails, before.mails, 'no mail');
      // Mail of theirs nobody decided: as the erasure leaves it, discarded without its original, text or sender.
      assert.equal(done?.status, 'discarded', JSON.stringify(done));
      assert.equal((await storage.inbound.findInboundMail(id))?.rawRemovedAt !== null, true);
      assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'MAILED-30727']), []);
    });

    it('a reply by mail whose sender is deactivated while it is processed is held, not posted', async () => {
      const { actor, ticketNumber } = await requesterWithTicket();
      const id = await replyFrom(actor, ticketNumber, 'MAILED-51170');
      const before = await written(storage);
      const racing = afterFindingActor(storage, () => editUser(deps, CLI_ORIGIN, w.admin, actor.id, { active: false }));
      const done = await processInboundMail(
        { ...deps, storage: racing, mailParser: new MailparserMailParser(), policy: INBOUND_POLICY },
        id,
      );
      assert.equal(done?.status, 'held', JSON.stringify(done));
      assert.equal(done?.reason, 'unknown-sender');
      assert.equal((await written(storage)).messages, before.messages, 'no message');
      assert.equal((await written(storage)).mails, before.mails, 'no mail');
    });

    it('a ticket opened by an actor loaded before the erasure is not opened', async () => {
      const { actor } = await requesterWithTicket();
      await erase(actor);
      const before = await written(storage);
      const input = { title: 'Late LATE-80451', description: TEXT, groupId: w.groupA };
      assertRefused(await outcomeOf(openTicket(deps, actor, input)), 'TICKET_INVALID');
      assert.deepEqual(await written(storage), before, 'no ticket, mail or webhook delivery');
    });

    /** A mail from `actor` to the support address (tickets opened by mail), processed while `meanwhile` runs. */
    async function newRequestBy(actor: Actor, marker: string, meanwhile: () => Promise<unknown>) {
      await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, true);
      const raw = verified(
        rawMail([
          `From: "${actor.name}" <${actor.email}>`,
          'To: desk@desk.example.test',
          `Subject: The printer ${marker}`,
          `Message-ID: <opened.${database.name}.${marker}@mail.example.org>`,
          '',
          `It jams, see ${marker}.`,
        ]),
      );
      const id = await storeMail(deps, raw, {
        from: actor.email,
        to: ['desk@desk.example.test'],
        remoteAddress: '192.0.2.8',
      });
      const inbound = {
        ...deps,
        storage: afterFindingActor(storage, meanwhile),
        mailParser: new MailparserMailParser(),
        senderVerifier: testSenderVerifier(),
        policy: INBOUND_POLICY,
      };
      try {
        return await processInboundMail(inbound, id);
      } finally {
        await setParameter(deps, CLI_ORIGIN, w.admin, PARAM.INBOUND_OPEN_TICKETS, false);
      }
    }

    it('a mail that would open a ticket, its sender deactivated while it is processed, is held: no ticket', async () => {
      const { actor } = await requesterWithTicket();
      const before = await written(storage);
      const deactivate = () => editUser(deps, CLI_ORIGIN, w.admin, actor.id, { active: false });
      const done = await newRequestBy(actor, 'OPENED-40216', deactivate);
      assert.deepEqual([done?.status, done?.reason], ['held', 'unknown-sender'], JSON.stringify(done));
      assert.equal((await written(storage)).tickets, before.tickets, 'no ticket');
    });

    it('a mail that would open a ticket, its sender erased while it is processed, keeps nothing: no ticket', async () => {
      const { actor } = await requesterWithTicket();
      const before = await written(storage);
      const done = await newRequestBy(actor, 'OPENED-91384', () => erase(actor));
      assert.equal(done?.status, 'discarded', JSON.stringify(done));
      assert.equal((await written(storage)).tickets, before.tickets, 'no ticket');
      assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'OPENED-91384']), []);
    });

    if (database.name === 'postgres') {
      it('an erasure committing while a ticket is opened waits for it, and the ticket is refused', async () => {
        const { actor } = await requesterWithTicket();
        const before = await written(storage);
        const held = holdingCommit(storage);
        const erasing = eraseRequester({ ...deps, storage: held.storage }, CLI_ORIGIN, actor.id, {
          confirmEmail: actor.email,
        });
        await held.done;
        const input = { title: 'Late LATE-80451', description: TEXT, groupId: w.groupA };
        const opening = outcomeOf(openTicket(deps, actor, input));
        await someoneWaitsForALock(storage, 'the ticket');
        held.commit();
        await erasing;
        assertRefused(await opening, 'TICKET_INVALID');
        assert.equal((await written(storage)).tickets, before.tickets, 'no ticket');
        assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'LATE-80451']), []);
      });

      it('an erasure committing while a post waits for the person: the post is refused once it commits', async () => {
        const { actor, ticketNumber } = await requesterWithTicket();
        const before = await written(storage);
        const held = holdingCommit(storage);
        const erasing = eraseRequester({ ...deps, storage: held.storage }, CLI_ORIGIN, actor.id, {
          confirmEmail: actor.email,
        });
        await held.done;
        const posting = outcomeOf(postMessage(deps, actor, { ticketNumber, text: TEXT, source: 'portal' }));
        // The post waits for the person's row, which the erasure holds until it commits.
        await someoneWaitsForALock(storage, 'the post');
        held.commit();
        await erasing;
        assertRefused(await posting, 'USER_ALREADY_ERASED');
        // (The erasure deleted the webhook deliveries about their ticket: none names the message, below.)
        const now = await written(storage);
        assert.equal(now.messages, before.messages, 'no message');
        assert.equal(now.mails, before.mails, 'no mail');
        assert.deepEqual(await tracesIn(storage, [actor.name, actor.email, 'LATE-80451']), []);
      });
    }
  });
}
