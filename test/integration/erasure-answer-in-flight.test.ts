/**
 * A staff message in flight on a requester's ticket when the requester is erased: read and rendered before the
 * erasure (their address, name, title and messages in its mails; the title in its webhook delivery), written after it
 * committed. The write checks the people the message was rendered with (its recipients, the ticket's requester, the
 * authors its history quotes: a former copy) are still not erased (SQLite: in its transaction; PostgreSQL: in its one
 * statement, their rows locked); one erased meanwhile, and it stores nothing and is read and rendered again: stored
 * without a trace of them. SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { PersonErased } from '../../src/ports/storage.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { endpointForEveryEvent, tracesIn } from '../support/erasure-traces.ts';
import { buildWorld, TEST_PASSWORD, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp } from '../support/http.ts';

/** `storage` whose first message write (a transaction, or `atomic.storeMessage`) lets `meanwhile` run and commit. */
function erasingBeforeTheWrite(storage: SqlStorage, meanwhile: () => Promise<unknown>): SqlStorage {
  let ran = false;
  const first = async () => {
    if (ran) return;
    ran = true;
    await meanwhile();
  };
  const atomic = new Proxy(storage.atomic, {
    get(target, key) {
      const value = Reflect.get(target, key) as unknown;
      if (key === 'storeMessage')
        return async (...args: Parameters<SqlStorage['atomic']['storeMessage']>) => {
          await first();
          return target.storeMessage(...args);
        };
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
  return new Proxy(storage, {
    get(target, key) {
      if (key === 'atomic') return atomic;
      if (key === 'transaction')
        return async (...args: Parameters<SqlStorage['transaction']>) => {
          await first();
          return target.transaction(...args);
        };
      const value = Reflect.get(target, key) as unknown;
      return typeof value === 'function' ? value.bind(target) : value;
    },
  });
}

for (const database of [sqliteFile, postgres]) {
  describe(`a staff message in flight on a ticket whose requester is erased, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let w: World;
    let app: FastifyInstance;
    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, new TestClock());
      w = await buildWorld(deps);
      await endpointForEveryEvent(deps);
      app = await testApp(deps);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    /** A requester with a ticket and a message on it; its number, their id, and the words that must not be left. */
    async function requesterWithTicket(name: string, email: string, tag: string) {
      const input = { role: 'requester' as const, email, name, password: TEST_PASSWORD };
      const id = (await createUser(deps, CLI_ORIGIN, input)).id;
      const person = await signIn(app, email);
      const ticket = { title: `TITLE${tag} my visa`, description: `DESC${tag}`, groupId: w.groupA };
      const opened = await person.post('/api/v1/tickets', ticket);
      assert.equal(opened.statusCode, 201, opened.body);
      const number = opened.json<{ number: number }>().number;
      const said = await person.post(`/api/v1/tickets/${number}/messages`, { text: `Passport PASS${tag}.` });
      assert.equal(said.statusCode, 201, said.body);
      return { id, number, traces: [email, name, `TITLE${tag}`, `DESC${tag}`, `PASS${tag}`] };
    }

    // threat: A staff message in flight on a requester's ticket when they are erased
    it('an answer rendered before the erasure is rendered again: no mail to them, nothing of theirs', async () => {
      const EMAIL = 'hermengarda.a@example.org';
      const { id, number, traces } = await requesterWithTicket('Hermengarda Atrasada', EMAIL, 'INFLIGHT-3321');
      const racing = erasingBeforeTheWrite(storage, () =>
        eraseRequester(deps, CLI_ORIGIN, id, { confirmEmail: EMAIL }),
      );
      const input = { ticketNumber: number, text: 'We are on it.', source: 'desk' as const };
      const posted = await postMessage({ ...deps, storage: racing }, w.techA, input);
      // Stored, once, with no mail: its only recipient is erased.
      assert.deepEqual(posted.notifications, []);
      const answers = await storage.kyselyInstance
        .selectFrom('ticket_message')
        .select('id')
        .where('text', '=', 'We are on it.')
        .execute();
      assert.deepEqual(
        answers.map((r) => r.id),
        [posted.message.id],
      );
      assert.deepEqual(await tracesIn(storage, traces), []);
    });

    // threat: A staff message in flight on a requester's ticket when they are erased
    it('an answer whose history quotes a former copy erased before its write: rendered again without them', async () => {
      const { number } = await requesterWithTicket('Anacleta Pedida', 'anacleta.p@example.org', 'ASKER-8810');
      const NAME = 'Clodomira Copiada';
      const EMAIL = 'clodomira.c@example.org';
      const input = { role: 'requester' as const, email: EMAIL, name: NAME, password: TEST_PASSWORD };
      const id = (await createUser(deps, CLI_ORIGIN, input)).id;
      // Copied, they say something on the ticket; then they are no longer a copy (so no recipient of the answer).
      const tech = await signIn(app, w.techA.email);
      const copied = await tech.put(`/api/v1/tickets/${number}/copies`, { copies: [{ email: EMAIL }] });
      assert.equal(copied.statusCode, 200, copied.body);
      const copy = await signIn(app, EMAIL);
      const said = await copy.post(`/api/v1/tickets/${number}/messages`, { text: 'My badge is BADGE-4471.' });
      assert.equal(said.statusCode, 201, said.body);
      const uncopied = await tech.put(`/api/v1/tickets/${number}/copies`, { copies: [] });
      assert.equal(uncopied.statusCode, 200, uncopied.body);
      // The answer to the requester quotes the last messages (${HISTORY}), theirs among them, when it is rendered.
      const racing = erasingBeforeTheWrite(storage, () =>
        eraseRequester(deps, CLI_ORIGIN, id, { confirmEmail: EMAIL }),
      );
      const answer = { ticketNumber: number, text: 'Noted, thanks.', source: 'desk' as const };
      const posted = await postMessage({ ...deps, storage: racing }, w.techA, answer);
      assert.equal(posted.notifications.length, 1, 'the requester is still mailed');
      assert.deepEqual(await tracesIn(storage, [EMAIL, NAME, 'BADGE-4471']), []);
    });

    it('people erased before each of its writes: a 409 that says so, nothing stored', async () => {
      // Once signed in, every write finds someone it was rendered with erased (as if one erasure came after each
      // rendering): `atomic.storeMessage`, or the transaction the message is written in.
      let refuse = false;
      let writes = 0;
      const refused = () => {
        writes++;
        return Promise.reject(new PersonErased([w.requesterA.id]));
      };
      const atomic = new Proxy(storage.atomic, {
        get(target, key) {
          if (key === 'storeMessage' && refuse) return refused;
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const refusing = new Proxy(storage, {
        get(target, key) {
          if (key === 'atomic') return atomic;
          if (key === 'transaction' && refuse) return refused;
          const value = Reflect.get(target, key) as unknown;
          return typeof value === 'function' ? value.bind(target) : value;
        },
      });
      const refusingApp = await testApp({ ...deps, storage: refusing });
      try {
        const tech = await signIn(refusingApp, w.techA.email);
        refuse = true;
        const posted = await tech.post(`/api/v1/tickets/${w.ticketA.number}/messages`, { text: 'Still there?' });
        refuse = false;
        assert.equal(posted.statusCode, 409, posted.body);
        assert.equal(posted.json().code, 'USER_ALREADY_ERASED');
        assert.equal(posted.json().details.reason, 'people-erased');
        assert.equal(writes, 3, 'rendered and tried three times');
        const stored = await storage.kyselyInstance
          .selectFrom('ticket_message')
          .select('id')
          .where('text', '=', 'Still there?')
          .execute();
        assert.deepEqual(stored, []);
      } finally {
        refuse = false;
        await refusingApp.close();
      }
    });

    it('an internal note rendered before the erasure: its webhook delivery has the erased title', async () => {
      const EMAIL = 'leocadia.n@example.org';
      const { id, number, traces } = await requesterWithTicket('Leocadia Nota', EMAIL, 'NOTE-5519');
      const racing = erasingBeforeTheWrite(storage, () =>
        eraseRequester(deps, CLI_ORIGIN, id, { confirmEmail: EMAIL }),
      );
      const input = { ticketNumber: number, text: 'Checking.', source: 'desk' as const, internal: true };
      await postMessage({ ...deps, storage: racing }, w.techA, input);
      assert.deepEqual(await tracesIn(storage, traces), []);
    });
  });
}
