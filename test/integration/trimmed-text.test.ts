/**
 * "Show trimmed text": a message that came by mail carries what was trimmed from that mail (quoted history,
 * signature) in the thread API, for staff on every such message and for a requester on their own only; a message
 * written in the web has none. On SQLite and PostgreSQL, replies by mail to the signed reply addresses.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`trimmed text of messages by mail, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let inbound: InboundDeps;
    let world: World;
    let app: FastifyInstance;
    let tech: Client;
    let requester: Client;
    let fromRequester: InboundMail;
    let fromTech: InboundMail;
    let webMessageId: number;

    /** `who` answers by mail the notification they got for `messageId`, at its signed reply address. */
    async function replyByMail(who: Actor, messageId: number): Promise<InboundMail> {
      const [notification] = (await storage.outbox.outboxOfMessages([messageId])).filter(
        (e) => e.toAddress === who.email,
      );
      assert.ok(notification?.replyTo, `a notification to ${who.email}`);
      const raw = eml('gmail-web-en', {
        FROM: who.email,
        FROM_NAME: who.name,
        TO: notification.replyTo,
        MESSAGE_ID: `<trimmed${Date.now()}.${++counter}@mail.example.org>`,
        IN_REPLY_TO: notification.messageIdHeader,
        REFERENCES: `${notification.threadId} ${notification.messageIdHeader}`,
        TICKET: world.ticketA.number,
      });
      const id = await receiveMail(inbound, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: who.email,
        envelopeTo: [notification.replyTo],
        remoteAddress: '127.0.0.1',
      });
      const done = (await processInboundMail(inbound, id))!;
      assert.equal(done.status, 'posted', done.reasonText ?? '');
      return done;
    }

    before(async () => {
      ({ storage, drop } = await database.open());
      const deps = testDeps(storage);
      inbound = {
        ...deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      world = await buildWorld(deps);
      app = await testApp(deps);
      tech = await signIn(app, world.techA.email);
      requester = await signIn(app, world.requesterA.email);
      const asked = await postMessage(deps, world.techA, {
        ticketNumber: world.ticketA.number,
        text: 'Could you restart the printer?',
        source: 'desk',
      });
      webMessageId = asked.message.id;
      fromRequester = await replyByMail(world.requesterA, asked.message.id);
      fromTech = await replyByMail(world.techA, fromRequester.messageId!);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    const thread = async (client: Client) => {
      const response = await client.get(`/api/v1/tickets/${world.ticketA.number}/messages`);
      assert.equal(response.statusCode, 200);
      return new Map((response.json().items as { id: number; trimmed: string | null }[]).map((m) => [m.id, m.trimmed]));
    };

    it('gives staff the trimmed text of every message that came by mail, and none for a message written in the web', async () => {
      const seen = await thread(tech);
      assert.ok(fromRequester.trimmed && fromTech.trimmed);
      assert.equal(seen.get(fromRequester.messageId!), fromRequester.trimmed);
      assert.equal(seen.get(fromTech.messageId!), fromTech.trimmed);
      assert.match(seen.get(fromRequester.messageId!) ?? '', /Could you restart the printer\?|wrote:/);
      assert.equal(seen.get(webMessageId), null);
    });

    it('gives a requester the trimmed text of their own mail only, never what was cut from someone else’s', async () => {
      const seen = await thread(requester);
      assert.equal(seen.get(fromRequester.messageId!), fromRequester.trimmed);
      assert.equal(
        seen.get(fromTech.messageId!),
        null,
        'the technician’s mail: its quoted history is not the requester’s to read',
      );
      assert.equal(seen.get(webMessageId), null);
    });
  });
}
