/**
 * People a ticket copies (Cc): set by staff by address (an unknown address becomes a requester without a password),
 * shown with the ticket, allowed to see it, told of its public messages (never of internal notes), and participants
 * whose replies by mail are posted as theirs; once removed, their replies are held. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TEST_PASSWORD, type World } from '../support/fixtures.ts';
import { anonymous, signIn, testApp, type Client } from '../support/http.ts';

let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`people a ticket copies, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let inbound: InboundDeps;
    let world: World;
    let app: FastifyInstance;
    let admin: Client;
    let tech: Client;
    let techB: Client;
    let requesterA: Client;
    let requesterB: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      world = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, world.admin.email);
      tech = await signIn(app, world.techA.email);
      techB = await signIn(app, world.techB.email);
      requesterA = await signIn(app, world.requesterA.email);
      requesterB = await signIn(app, world.requesterB.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    const copiesUrl = () => `/api/v1/tickets/${world.ticketA.number}/copies`;
    const setCopies = (client: Client, copies: { email: string; name?: string | null }[]) =>
      client.put(copiesUrl(), { copies });
    /** Who a message's mails reach: each mail's recipient and the people it copies (one mail with Cc, by default). */
    const notified = async (messagePost: { json(): { notifications: { to: string; cc: string[] }[] } }) =>
      messagePost
        .json()
        .notifications.flatMap((n) => [n.to, ...n.cc])
        .sort();

    it("only staff who see the ticket set them; requesters get 403, another group's technician 404", async () => {
      assert.equal((await setCopies(requesterA, [{ email: 'x@partner.example' }])).statusCode, 403);
      assert.equal((await setCopies(techB, [{ email: 'x@partner.example' }])).statusCode, 404);
      assert.equal((await anonymous(app).put(copiesUrl(), { copies: [] })).statusCode, 401);
    });

    it('bad input: a clear 4xx, nothing changed', async () => {
      const bad = await setCopies(tech, [{ email: 'ok@partner.example' }, { email: 'not an address' }]);
      assert.equal(bad.statusCode, 422);
      assert.equal(bad.json().code, 'COPY_INVALID');
      assert.equal(bad.json().message, '"not an address" is not an email address.');
      for (const own of ['desk@example.test', 'reply+1.2.abc@desk.example.test', 'Anything@DESK.example.test']) {
        const looping = await setCopies(tech, [{ email: own }]);
        assert.equal(looping.statusCode, 422, own);
        assert.match(looping.json().message, /is an address of this service desk/);
      }
      const many = await setCopies(
        tech,
        Array.from({ length: 21 }, (_, i) => ({ email: `p${i}@partner.example` })),
      );
      assert.equal(many.statusCode, 400);
      assert.equal(
        await storage.people.findUserByEmail('ok@partner.example'),
        undefined,
        'no user created by a refused request',
      );
      const detail = (await tech.get(`/api/v1/tickets/${world.ticketA.number}`)).json();
      assert.deepEqual(detail.copies, []);
    });

    it('sets them by address: an existing user, and a new address that becomes a requester who cannot sign in; the requester is left out', async () => {
      const r = await setCopies(tech, [
        { email: 'REQ.B@example.test' },
        { email: 'nina.new@partner.example', name: 'Nina New' },
        { email: world.requesterA.email },
        { email: 'req.b@example.test' },
      ]);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(
        r.json().items.map((c: { name: string; email: string; role: string }) => [c.name, c.email, c.role]),
        [
          [world.requesterB.name, 'req.b@example.test', 'requester'],
          ['Nina New', 'nina.new@partner.example', 'requester'],
        ],
      );
      const nina = await storage.people.findUserByEmail('nina.new@partner.example');
      assert.ok(nina?.active);
      assert.equal(nina.locale, world.requesterA.locale, "in the language of the ticket's requester");
      const login = await app.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        payload: { email: 'nina.new@partner.example', password: TEST_PASSWORD },
      });
      assert.equal(login.statusCode, 401, 'a person created as a copy has no password');
      const detail = (await requesterA.get(`/api/v1/tickets/${world.ticketA.number}`)).json();
      assert.deepEqual(
        detail.copies.map((c: { name: string }) => c.name),
        [world.requesterB.name, 'Nina New'],
      );
    });

    it('copying a technician of another group gives them no access to the ticket (they are told by mail only)', async () => {
      const r = await setCopies(tech, [
        { email: world.techB.email },
        { email: 'req.b@example.test' },
        { email: 'nina.new@partner.example' },
      ]);
      assert.equal(r.statusCode, 200, r.body);
      assert.equal((await techB.get(`/api/v1/tickets/${world.ticketA.number}`)).statusCode, 404);
      assert.ok(
        !(await techB.get('/api/v1/tickets'))
          .json()
          .items.some((t: { number: number }) => t.number === world.ticketA.number),
      );
      assert.equal(
        (await setCopies(tech, [{ email: 'req.b@example.test' }, { email: 'nina.new@partner.example' }])).statusCode,
        200,
      );
    });

    it('a copied requester sees the ticket in their list and its thread, but never its internal notes', async () => {
      await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Internal: check the toner.',
        internal: true,
      });
      const list = (await requesterB.get('/api/v1/tickets')).json().items.map((t: { number: number }) => t.number);
      assert.ok(list.includes(world.ticketA.number));
      assert.ok(list.includes(world.ticketB.number));
      assert.equal((await requesterB.get(`/api/v1/tickets/${world.ticketA.number}`)).statusCode, 200);
      const thread = (await requesterB.get(`/api/v1/tickets/${world.ticketA.number}/messages`)).json().items as {
        text: string;
        internal: boolean;
      }[];
      assert.ok(thread.every((m) => !m.internal));
      assert.ok(!thread.some((m) => m.text.includes('toner')));
    });

    it('everyone taking part is told of a public message, except its author', async () => {
      const byTech = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Restart it, please.',
      });
      assert.equal(byTech.statusCode, 201, byTech.body);
      assert.deepEqual(await notified(byTech), [
        'nina.new@partner.example',
        'req.a@example.test',
        'req.b@example.test',
      ]);
      const byCopy = await requesterB.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Same problem here.',
      });
      assert.equal(byCopy.statusCode, 201, byCopy.body);
      // A requester sees names, not addresses: the responsible technician, the requester and the other copy.
      assert.deepEqual(await notified(byCopy), ['Nina New', world.requesterA.name, world.techA.name].sort());
      const byRequester = await requesterA.post(`/api/v1/tickets/${world.ticketA.number}/messages`, {
        text: 'Still broken.',
      });
      assert.deepEqual(await notified(byRequester), ['Nina New', world.requesterB.name, world.techA.name].sort());
    });

    it('are told of their ticket only: another ticket of the same group notifies its own people (no cached list grows)', async () => {
      // Ticket A has no responsible technician, so its group is told, with its copies and requester; twice, so a
      // list shared between calls would have grown.
      await requesterB.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Any news?' });
      await requesterA.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Any news at all?' });
      const other = await requesterA.post('/api/v1/tickets', {
        title: 'Scanner',
        description: 'It is slow.',
        groupId: world.groupA,
      });
      assert.equal(other.statusCode, 201, other.body);
      const r = await requesterA.post(`/api/v1/tickets/${other.json().number}/messages`, { text: 'Really slow.' });
      assert.equal(r.statusCode, 201, r.body);
      assert.deepEqual(await notified(r), [world.techA.name], "the group's staff only: none of ticket A's people");
    });

    async function replyFrom(email: string, name: string) {
      const [notification] = (
        await storage.outbox.outboxOfMessages(
          (await storage.messages.listMessages(world.ticketA.id, false)).map((m) => m.id),
        )
      ).filter((e) => e.toAddress === email);
      assert.ok(notification, `a notification to ${email}`);
      const raw = eml('gmail-web-en', {
        FROM: email,
        FROM_NAME: name,
        // The reply address the notification gave this person (signed for them): what proves who wrote.
        TO: notification.replyTo!,
        MESSAGE_ID: `<copy${Date.now()}.${++counter}@partner.example>`,
        IN_REPLY_TO: notification.messageIdHeader,
        REFERENCES: `${notification.threadId} ${notification.messageIdHeader}`,
        TICKET: world.ticketA.number,
      });
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: email,
        envelopeTo: [notification.replyTo!],
        remoteAddress: '127.0.0.1',
      });
      return (await processInboundMail(inbound, id))!;
    }

    it("a copied person's reply by mail is posted as theirs; once no longer copied, it is held", async () => {
      // With one mail each, every copy has a reply address of their own (with Cc, see copies-in-cc.test.ts).
      const separate = await admin.patch(`/api/v1/admin/groups/${world.groupA}`, { copiesMode: 'separate' });
      assert.equal(separate.statusCode, 200, separate.body);
      const each = await tech.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'One mail each.' });
      assert.equal(each.json().notifications.length, 3);
      const posted = await replyFrom('nina.new@partner.example', 'Nina New');
      assert.equal(posted.status, 'posted', posted.reasonText ?? '');
      const message = (await storage.messages.listMessages(world.ticketA.id, false)).find(
        (m) => m.id === posted.messageId,
      );
      assert.equal(message?.authorName, 'Nina New');

      const r = await setCopies(admin, [{ email: 'req.b@example.test' }]);
      assert.deepEqual(
        r.json().items.map((c: { email: string }) => c.email),
        ['req.b@example.test'],
      );
      const held = await replyFrom('nina.new@partner.example', 'Nina New');
      assert.equal(held.status, 'held');
      assert.equal(held.reason, 'sender-not-participant');
    });

    it('a deactivated user cannot be copied; emptying the list takes the ticket out of their portal', async () => {
      const nina = (await storage.people.findUserByEmail('nina.new@partner.example'))!;
      await storage.people.updateUser(nina.id, { active: false });
      const refused = await setCopies(tech, [{ email: 'nina.new@partner.example' }]);
      assert.equal(refused.statusCode, 422);
      assert.match(refused.json().message, /deactivated/);
      assert.equal((await setCopies(tech, [])).statusCode, 200);
      assert.equal((await requesterB.get(`/api/v1/tickets/${world.ticketA.number}`)).statusCode, 404);
      assert.ok(
        !(await requesterB.get('/api/v1/tickets'))
          .json()
          .items.some((t: { number: number }) => t.number === world.ticketA.number),
      );
    });
  });
}
