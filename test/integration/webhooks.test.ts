/**
 * Webhooks end to end, on SQLite (a file, shared with a child process) and PostgreSQL: endpoints registered through
 * the admin API, deliveries queued with the message they report, posted by the dispatcher to a real `node:http`
 * server on 127.0.0.1 (allowed as a private address, so plain HTTP) that verifies every signature; a 500 retried,
 * the audience rule, and a `parley dispatch` SIGKILLed mid-delivery. Every wait polls with a deadline.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { verifyWebhookSignature } from '../../src/adapters/crypto/webhook-signature.ts';
import { HttpWebhookSender } from '../../src/adapters/net/http-webhook-sender.ts';
import { WebhookDispatcher } from '../../src/delivery/workers/webhook-dispatcher.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import type { DispatchPolicy } from '../../src/domain/notifications/dispatch-outbox.ts';
import { postgres, sqliteFile } from '../support/databases.ts';
import { scene, SECRET_KEY, startDispatchProcess, stopChild, type Child } from '../support/dispatch-scene.ts';
import { signIn, testApp } from '../support/http.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { createHash } from 'node:crypto';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { bounceAddress } from '../../src/domain/notifications/bounce-address.ts';
import { dispatchBatch } from '../../src/domain/notifications/dispatch-outbox.ts';
import { MAIL_EVENTS } from '../../src/domain/webhooks/mail-webhooks.ts';
import { eml, mail } from '../fixtures/eml/eml.ts';

const POLICY: DispatchPolicy = {
  batchSize: 10,
  concurrency: 2,
  leaseSeconds: 10,
  retryBaseSeconds: 1,
  retryMaxSeconds: 2,
  giveUpHours: 1,
};
const quietLog = { info: () => {}, error: () => {} };

interface Received {
  path: string;
  eventId: string;
  signature: string;
  body: string;
  json: { id: string; type: string; data: { message: { id: number; internal: boolean; text: string } } };
}

/** A webhook receiver on 127.0.0.1: records each request; `answer` decides the reply (or holds it, for the kill). */
async function receiver(answer: (r: Received, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      const r = {
        path: req.url ?? '',
        eventId: String(req.headers['parley-event-id']),
        signature: String(req.headers['parley-signature']),
        body,
        json: JSON.parse(body) as Received['json'],
      };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const port = (server.address() as { port: number }).port;
  return {
    received,
    url: (path: string) => `http://127.0.0.1:${port}${path}`,
    close: () =>
      new Promise<void>((done) => {
        server.closeAllConnections();
        server.close(() => done());
      }),
  };
}

const endpoint = (url: string, publicOnly: boolean) => ({
  url,
  description: publicOnly ? 'Public tracker' : 'Staff tracker',
  events: ['message.created' as const],
  publicOnly,
  active: true,
  allowPrivate: true,
});

for (const database of [sqliteFile, postgres]) {
  describe(`webhooks (${database.name})`, () => {
    // threat: An internal note is posted while a webhook endpoint takes "public events only" → that endpoint never receives it; an endpoint for staff does.
    // threat: A webhook body changed in transit, signed with another endpoint's secret, or replayed more than 5 minutes later → its Parley-Signature does not verify.
    it('signs every delivery, retries a 500, and never sends an internal note to a public-only endpoint', async () => {
      const s = await scene(database);
      let failFirst = true;
      const hooks = await receiver((r, res) => {
        if (r.path === '/staff' && failFirst) {
          failFirst = false;
          res.writeHead(500).end('busy');
        } else res.writeHead(200).end('ok');
      });
      const app = await testApp(s.deps);
      const dispatcher = new WebhookDispatcher(
        { ...s.deps, sender: new HttpWebhookSender({ timeoutMs: 5000, userAgent: 'Parley-Test' }) },
        POLICY,
        { pollMs: 200, log: quietLog },
      );
      try {
        const admin = await signIn(app, s.world.admin.email, TEST_PASSWORD);
        const pub = await admin.post('/api/v1/admin/webhooks', endpoint(hooks.url('/public'), true));
        assert.equal(pub.statusCode, 201, pub.body);
        const staff = await admin.post('/api/v1/admin/webhooks', endpoint(hooks.url('/staff'), false));
        assert.equal(staff.statusCode, 201, staff.body);
        const secrets = { '/public': pub.json().secret as string, '/staff': staff.json().secret as string };
        assert.match(secrets['/public'], /^whsec_/);
        // The secret is shown once: the list does not carry it.
        const listed = await admin.get('/api/v1/admin/webhooks');
        assert.equal(listed.statusCode, 200);
        assert.ok(!listed.body.includes(secrets['/public']) && !listed.body.includes(secrets['/staff']));
        assert.ok(!listed.body.includes('secret'));

        const note = await postMessage(s.deps, s.world.techA, {
          ticketNumber: s.world.ticketA.number,
          text: 'Internal: the customer is on the old plan.',
          internal: true,
          source: 'desk',
        });
        const reply = await postMessage(s.deps, s.world.techA, {
          ticketNumber: s.world.ticketA.number,
          text: 'We are on it.',
          source: 'desk',
        });
        // Queued with the messages, before any dispatcher ran: 1 for the public one, 2 for the staff one.
        const queued = await s.storage.webhooks.listWebhookDeliveries({}, { cursor: null, limit: 10 });
        assert.equal(queued.items.length, 3);
        assert.ok(queued.items.every((d) => d.status === 'queued'));

        await dispatcher.start();
        await waitUntil(
          async () =>
            (await s.storage.webhooks.listWebhookDeliveries({}, { cursor: null, limit: 10 })).items.every(
              (d) => d.status === 'delivered',
            ),
          'every delivery delivered',
          30_000,
        );

        const now = Math.floor(Date.now() / 1000);
        for (const r of hooks.received) {
          const secret = secrets[r.path as '/public' | '/staff'];
          assert.ok(verifyWebhookSignature(secret, r.signature, r.body, now), `signature of ${r.path}`);
          assert.equal(r.eventId, r.json.id);
          // Signed with the other endpoint's secret, or with the body changed, it does not verify.
          const other = secrets[r.path === '/public' ? '/staff' : '/public'];
          assert.equal(verifyWebhookSignature(other, r.signature, r.body, now), false);
          assert.equal(verifyWebhookSignature(secret, r.signature, `${r.body} `, now), false);
          assert.equal(verifyWebhookSignature(secret, r.signature, r.body, now + 301), false, 'past the replay window');
        }
        const publicOnes = hooks.received.filter((r) => r.path === '/public');
        assert.deepEqual(
          publicOnes.map((r) => r.json.data.message.id),
          [reply.message.id],
        );
        assert.ok(!publicOnes.some((r) => r.body.includes('old plan')));
        const staffOnes = hooks.received.filter((r) => r.path === '/staff');
        // The staff endpoint got both; one of them twice (the 500, then the 200), with the same event id.
        assert.deepEqual(
          [...new Set(staffOnes.map((r) => r.json.data.message.id))].sort(),
          [note.message.id, reply.message.id].sort(),
        );
        assert.equal(staffOnes.length, 3);
        assert.equal(new Set(staffOnes.map((r) => r.eventId)).size, 2);
        // One event, one id, whichever endpoint receives it.
        assert.equal(
          publicOnes[0]!.eventId,
          staffOnes.find((r) => r.json.data.message.id === reply.message.id)!.eventId,
        );

        const deliveries = await admin.get(`/api/v1/admin/webhook-deliveries?endpointId=${staff.json().endpoint.id}`);
        assert.equal(deliveries.statusCode, 200);
        const details = await Promise.all(
          (deliveries.json().items as { id: number }[]).map(
            async (d) =>
              (await admin.get(`/api/v1/admin/webhook-deliveries/${d.id}`)).json() as {
                attempts: { result: string; reply: string }[];
              },
          ),
        );
        assert.deepEqual(details.map((d) => d.attempts.map((a) => a.result)).sort(), [
          ['deferred', 'delivered'],
          ['delivered'],
        ]);
        assert.ok(details.some((d) => d.attempts[0]!.reply === 'HTTP 500: busy'));

        // "Send again": the same event id reaches the endpoint once more.
        const first = (deliveries.json().items as { id: number; eventId: string }[])[0]!;
        const resent = await admin.post(`/api/v1/admin/webhook-deliveries/${first.id}/resend`);
        assert.equal(resent.statusCode, 200, resent.body);
        await waitUntil(
          () => hooks.received.filter((r) => r.eventId === first.eventId && r.path === '/staff').length >= 2,
          'the delivery sent again',
          30_000,
        );
        const audit = await s.storage.kyselyInstance.selectFrom('audit_entry').select('action').execute();
        assert.ok(audit.some((a) => a.action === 'webhook.resend'));
        assert.ok(audit.filter((a) => a.action === 'webhook.create').length === 2);
      } finally {
        await dispatcher.stop();
        await app.close();
        await hooks.close();
        await s.close();
      }
    });

    it('queues ticket.created and ticket.changed to the endpoints that take them (the audience rule applied); a refused ticket queues nothing', async () => {
      const s = await scene(database);
      const app = await testApp(s.deps);
      try {
        const takes = await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
          ...endpoint('http://127.0.0.1:1/tickets', true),
          events: ['ticket.created'],
        });
        await createWebhookEndpoint(s.deps, CLI_ORIGIN, endpoint('http://127.0.0.1:1/messages', false));
        const requester = await signIn(app, s.world.requesterA.email, TEST_PASSWORD);
        const refused = await requester.post('/api/v1/tickets', { title: 'Broken', description: '   ' });
        assert.equal(refused.statusCode, 422, refused.body);
        const opened = await requester.post('/api/v1/tickets', { title: 'VPN down', description: 'Since 9 am.' });
        assert.equal(opened.statusCode, 201, opened.body);
        const { items } = await s.storage.webhooks.listWebhookDeliveries({}, { cursor: null, limit: 10 });
        assert.deepEqual(
          items.map((d) => [d.endpointId, d.event, d.status]),
          [[takes.endpoint.id, 'ticket.created', 'queued']],
        );
        const body = JSON.parse(items[0]!.body) as {
          id: string;
          type: string;
          data: { ticket: { number: number; title: string } };
        };
        assert.equal(body.id, items[0]!.eventId);
        assert.equal(body.type, 'ticket.created');
        assert.equal(body.data.ticket.number, opened.json().number);
        assert.equal(body.data.ticket.title, 'VPN down');

        // ticket.changed: a status change reaches a public-only endpoint; a change of responsible is for staff only.
        const changes = await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
          ...endpoint('http://127.0.0.1:1/changes', true),
          events: ['ticket.changed'],
        });
        const tech = await signIn(app, s.world.techA.email, TEST_PASSWORD);
        const n = s.world.ticketA.number;
        assert.equal((await tech.patch(`/api/v1/tickets/${n}`, { status: 'in_progress' })).statusCode, 200);
        assert.equal((await tech.patch(`/api/v1/tickets/${n}`, { responsibleId: s.world.techA.id })).statusCode, 200);
        const changed = (
          await s.storage.webhooks.listWebhookDeliveries(
            { endpointId: changes.endpoint.id },
            { cursor: null, limit: 10 },
          )
        ).items;
        assert.deepEqual(
          changed.map(
            (d) => (JSON.parse(d.body) as { data: { changes: { kind: string; to: string }[] } }).data.changes,
          ),
          [[{ kind: 'status', from: 'new', to: 'in_progress' }]],
        );
      } finally {
        await app.close();
        await s.close();
      }
    });

    // threat: A webhook endpoint on a loopback, private or link-local address (or a name resolving to one) → refused at save and at send unless an administrator allows private addresses for it; link-local and metadata addresses always.
    it('refuses endpoints on private addresses unless allowed, plain HTTP, metadata addresses, and a private address at send time', async () => {
      const s = await scene(database);
      const app = await testApp(s.deps);
      try {
        const admin = await signIn(app, s.world.admin.email, TEST_PASSWORD);
        const refused = async (body: object, field: string) => {
          const r = await admin.post('/api/v1/admin/webhooks', body);
          assert.equal(r.statusCode, 422, r.body);
          assert.equal(r.json().code, 'WEBHOOK_ENDPOINT_INVALID');
          assert.equal(r.json().details.field, field);
        };
        const base = { ...endpoint('https://127.0.0.1/hook', false), allowPrivate: false };
        await refused(base, 'url');
        await refused({ ...base, url: 'https://10.0.0.8/hook' }, 'url');
        await refused({ ...base, url: 'https://[::1]/hook' }, 'url');
        await refused({ ...base, url: 'https://localhost/hook' }, 'url');
        await refused({ ...base, url: 'http://hooks.example.com/hook' }, 'url');
        await refused({ ...base, url: 'https://169.254.169.254/latest', allowPrivate: true }, 'url');
        await refused({ ...base, url: 'https://user:pw@hooks.example.com/hook' }, 'url');
        const bad = await admin.post('/api/v1/admin/webhooks', {
          ...base,
          url: 'https://hooks.example.com',
          events: [],
        });
        assert.equal(bad.statusCode, 400);
        assert.equal((await admin.get('/api/v1/admin/webhooks')).json().items.length, 0, 'nothing was stored');

        // An endpoint allowed as private, then the switch turned off: the sender refuses it at send time, for good.
        const ok = await admin.post('/api/v1/admin/webhooks', { ...base, url: 'https://hooks.example.com/x' });
        assert.equal(ok.statusCode, 201, ok.body);
        const sender = new HttpWebhookSender({ timeoutMs: 2000, userAgent: 'Parley-Test' });
        await assert.rejects(
          sender.post({
            url: 'https://127.0.0.1:9/hook',
            allowPrivate: false,
            eventId: 'evt_x',
            event: 'message.created',
            body: '{}',
            secret: 's',
            timestamp: 1,
          }),
          (e: Error & { permanent?: boolean }) => e.permanent === true && /private address/.test(e.message),
        );
        const off = await admin.patch(`/api/v1/admin/webhooks/${ok.json().endpoint.id}`, {
          url: 'https://127.0.0.1/x',
        });
        assert.equal(off.statusCode, 422);
        const audit = await s.storage.kyselyInstance.selectFrom('audit_entry').select('action').execute();
        assert.deepEqual(
          audit.map((a) => a.action).filter((a) => a.startsWith('webhook')),
          ['webhook.create'],
        );
      } finally {
        await app.close();
        await s.close();
      }
    });

    // threat: A dispatcher is SIGKILLed while posting a webhook → the delivery is posted again once the lease ends, with the same event id, and recorded delivered.
    // threat: An internal note is posted while a webhook endpoint takes "public events only" → that endpoint never receives it; an endpoint for staff does.
    it('reports mail sent (250), deferred (451), failed (550), bounced (a DSN) and inbound mail held, each queued with its outcome', async () => {
      const s = await scene(database);
      const hooks = await receiver((_r, res) => res.writeHead(200).end());
      const transports = new NodemailerMailTransports({
        maxConnections: 2,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 4000,
        idleMs: 1000,
      });
      const dispatcher = new WebhookDispatcher(
        { ...s.deps, sender: new HttpWebhookSender({ timeoutMs: 5000, userAgent: 'Parley-Test' }) },
        POLICY,
        { pollMs: 200, log: quietLog },
      );
      const mailPolicy: DispatchPolicy = { ...POLICY, retryBaseSeconds: 600, retryMaxSeconds: 600 };
      const inbound = {
        ...s.deps,
        mailParser: new MailparserMailParser(),
        policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
      };
      const events = [...MAIL_EVENTS, 'inbound.held' as const];
      try {
        const staff = await createWebhookEndpoint(s.deps, CLI_ORIGIN, {
          ...endpoint(hooks.url('/staff'), false),
          events,
        });
        await createWebhookEndpoint(s.deps, CLI_ORIGIN, { ...endpoint(hooks.url('/public'), true), events });
        await dispatcher.start();
        type MailEventBody = {
          id: string;
          type: string;
          data: {
            mail: {
              id: number;
              ticket: { id: number; number: number } | null;
              to: string;
              attempts: number;
              internal: boolean;
              reason?: string | null;
            };
            inboundMail?: { id: number; reason: string; reasonText: string; from: string };
          };
        };
        const bodies = (path: string, type: string) =>
          hooks.received
            .filter((r) => r.path === path && r.json.type === type)
            .map((r) => JSON.parse(r.body) as MailEventBody);
        const reply = (text: string, ticket: 'A' | 'B' = 'A') =>
          postMessage(s.deps, ticket === 'A' ? s.world.techA : s.world.techB, {
            ticketNumber: ticket === 'A' ? s.world.ticketA.number : s.world.ticketB.number,
            text,
            source: 'desk',
          });
        const dispatch = () => dispatchBatch({ ...s.deps, transports }, mailPolicy);

        // 250: mail.sent to both endpoints, with the ticket, the recipient and the attempt count.
        const sent = await reply('The printer is fixed.');
        const sentMail = sent.notifications[0]!.id;
        assert.equal((await dispatch()).sent, 1);
        await waitUntil(
          () => bodies('/public', 'mail.sent').length === 1 && bodies('/staff', 'mail.sent').length === 1,
          'mail.sent',
        );
        const sentBody = bodies('/public', 'mail.sent')[0]!;
        assert.deepEqual(sentBody.data.mail, {
          id: sentMail,
          ticket: { id: s.world.ticketA.id, number: s.world.ticketA.number },
          messageId: sent.message.id,
          internal: false,
          to: s.world.requesterA.email,
          attempts: 1,
        });

        // 451: mail.deferred with the server's reply.
        s.sink.failTemporarily({ count: 1 });
        await reply('Could you check the toner?');
        assert.equal((await dispatch()).deferred, 1);
        await waitUntil(() => bodies('/staff', 'mail.deferred').length === 1, 'mail.deferred');
        const deferred = bodies('/staff', 'mail.deferred')[0]!.data.mail;
        assert.equal(deferred.attempts, 1);
        assert.match(deferred.reason ?? '', /451/);
        s.sink.accept();

        // 550 for requester B: mail.failed with the reason.
        s.sink.rejectRecipient(s.world.requesterB.email);
        await reply('Your laptop was ordered.', 'B');
        assert.equal((await dispatch()).failed, 1);
        await waitUntil(() => bodies('/staff', 'mail.failed').length === 1, 'mail.failed');
        const failed = bodies('/staff', 'mail.failed')[0]!.data.mail;
        assert.equal(failed.to, s.world.requesterB.email);
        assert.match(failed.reason ?? '', /550/);
        s.sink.accept();

        // A delivery report at the sent mail's signed bounce address: mail.bounced.
        const [entry] = await s.storage.outbox.outboxOfMessages([sent.message.id]);
        const dsn = eml('dsn-postfix', {
          TO: bounceAddress(s.deps.signer, s.deps.site.mailDomain, sentMail),
          MESSAGE_ID: `<dsn.${Date.now()}@mx.example.net>`,
          FAILED_RECIPIENT: entry!.toAddress,
          TICKET: s.world.ticketA.number,
          ORIGINAL_MESSAGE_ID: entry!.messageIdHeader,
        });
        const deliver = async (raw: Buffer, from: string, to: string) =>
          processInboundMail(
            inbound,
            await receiveMail(s.deps, {
              raw,
              sha256: createHash('sha256').update(raw).digest('hex'),
              envelopeFrom: from,
              envelopeTo: [to],
              remoteAddress: '127.0.0.1',
            }),
          );
        const bounced = await deliver(dsn, '', bounceAddress(s.deps.signer, s.deps.site.mailDomain, sentMail));
        assert.equal(bounced?.status, 'bounce');
        await waitUntil(() => bodies('/staff', 'mail.bounced').length === 1, 'mail.bounced');
        const bounce = bodies('/staff', 'mail.bounced')[0]!.data.mail;
        assert.deepEqual([bounce.id, bounce.to, bounce.attempts], [sentMail, s.world.requesterA.email, 1]);
        assert.match(bounce.reason ?? '', /5\.1\.1/);
        assert.equal(bodies('/public', 'mail.bounced').length, 1);

        // A stranger's mail, held for review: inbound.held for staff only, with the reason; never to public-only.
        const strange = mail(
          {
            From: 'Spam King <king@spam.example>',
            To: 'desk@example.test',
            Subject: `Re: [#${s.world.ticketA.number}] Cheap toner`,
            'Message-ID': `<toner.${Date.now()}@spam.example>`,
          },
          'Buy toner now.',
        );
        const held = await deliver(strange, 'king@spam.example', 'desk@example.test');
        assert.equal(held?.status, 'held');
        await waitUntil(() => bodies('/staff', 'inbound.held').length === 1, 'inbound.held');
        const heldBody = bodies('/staff', 'inbound.held')[0]!.data.inboundMail!;
        assert.deepEqual([heldBody.id, heldBody.reason, heldBody.from], [held!.id, held!.reason, 'king@spam.example']);
        assert.equal(heldBody.reasonText, held!.reasonText);

        // An internal note: no mail, so no mail event anywhere; the public-only endpoint never hears of it.
        const note = await postMessage(s.deps, s.world.techA, {
          ticketNumber: s.world.ticketA.number,
          text: 'Internal: the roller is worn.',
          internal: true,
          source: 'desk',
        });
        assert.deepEqual(note.notifications, []);
        await dispatch();
        const queued = await s.storage.webhooks.listWebhookDeliveries(
          { status: 'queued' },
          { cursor: null, limit: 50 },
        );
        assert.deepEqual(queued.items, []);
        const publicTypes = hooks.received.filter((r) => r.path === '/public').map((r) => r.json.type);
        assert.deepEqual(publicTypes.sort(), ['mail.bounced', 'mail.deferred', 'mail.failed', 'mail.sent']);
        assert.ok(!hooks.received.some((r) => r.body.includes('roller')));
        // Every body is signed with its endpoint's secret, and none carries a secret or a token.
        for (const r of hooks.received) {
          assert.doesNotMatch(r.body, /whsec_|bounce\+|reply\+|password/i);
        }
        assert.equal(
          (
            await s.storage.webhooks.listWebhookDeliveries(
              { endpointId: staff.endpoint.id },
              { cursor: null, limit: 50 },
            )
          ).items.length,
          5,
        );
      } finally {
        await dispatcher.stop();
        transports.closeAll();
        await hooks.close();
        await s.close();
      }
    });

    it('a `parley dispatch` SIGKILLed mid-delivery: the next one delivers it again with the same event id', async () => {
      const s = await scene(database);
      const dataDir = mkdtempSync(join(tmpdir(), 'parley-hooks-'));
      let hold = true;
      const hooks = await receiver((_r, res) => {
        if (!hold) res.writeHead(204).end();
        // else: the answer never comes while the first dispatcher lives
      });
      let first: Child | undefined;
      let second: Child | undefined;
      try {
        const { endpoint: created } = await createWebhookEndpoint(
          s.deps,
          CLI_ORIGIN,
          endpoint(hooks.url('/hook'), true),
        );
        await postMessage(s.deps, s.world.techA, {
          ticketNumber: s.world.ticketA.number,
          text: 'Public update.',
          source: 'desk',
        });
        const env = {
          PARLEY_DATABASE_URL: s.url,
          PARLEY_DATA_DIR: dataDir,
          PARLEY_SECRET_KEY: SECRET_KEY,
          PARLEY_LEASE_SECONDS: '2',
          PARLEY_LOG_LEVEL: 'warn',
          PARLEY_RETRY_BASE_SECONDS: '1',
          PARLEY_RETRY_MAX_SECONDS: '2',
          PARLEY_MAIL_CATCHER: 'off',
        };
        first = startDispatchProcess(env);
        await waitUntil(() => hooks.received.length === 1, 'the first dispatcher to post the delivery', 60_000);
        first.process.kill('SIGKILL');
        assert.equal((await first.exited).signal, 'SIGKILL');
        const [held] = (
          await s.storage.webhooks.listWebhookDeliveries({ endpointId: created.id }, { cursor: null, limit: 5 })
        ).items;
        assert.equal(held?.status, 'sending', 'killed with the delivery claimed and not recorded');

        hold = false;
        second = startDispatchProcess(env);
        await waitUntil(
          async () => (await s.storage.webhooks.findWebhookDelivery(held!.id))?.status === 'delivered',
          'the second dispatcher to deliver it',
          60_000,
        );
        await stopChild(second, 'SIGTERM');
        // Delivered at least once: twice here, with one event id, so the receiver can tell it is the same event.
        assert.equal(hooks.received.length, 2);
        assert.equal(hooks.received[0]!.eventId, hooks.received[1]!.eventId);
        assert.deepEqual(
          (await s.storage.webhooks.findWebhookDelivery(held!.id))?.attempts.map((a) => a.result),
          ['interrupted', 'delivered'],
        );
      } finally {
        await stopChild(first);
        await stopChild(second);
        await hooks.close();
        rmSync(dataDir, { recursive: true, force: true });
        await s.close();
      }
    });
  });
}
