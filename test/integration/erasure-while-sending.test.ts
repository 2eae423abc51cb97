/**
 * An erasure while a dispatcher is sending a batch of mail that copies the person (Cc): the dispatcher hears of it at
 * once (`Storage.onOutboxWithdrawn`: PostgreSQL's NOTIFY, SQLite's in-process signal) and renews its claims, so the
 * mails of its batch not on the wire yet are not sent with them, those waiting for a connection of the transport's pool
 * included; only the one on the wire at that moment went out with them. Then every mail is sent again without them. A
 * real SMTP server that holds its answer to DATA until the test releases it; SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { eraseRequester } from '../../src/domain/users/erase-requester.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { DISPATCH_POLICY, SILENT_LOG } from '../support/dispatch-scene.ts';
import { tracesIn } from '../support/erasure-traces.ts';
import { mailApp } from '../support/mail-app.ts';
import { waitUntil } from '../support/smtp-sink.ts';

const PIA = { email: 'pia.sending@partner.example', name: 'Pia Lähettää' };

for (const database of [sqliteMemory, postgres]) {
  describe(`an erasure while a dispatcher sends, on ${database.name}`, () => {
    // threat: An erasure while a dispatcher is sending mail that copies the person
    it('the dispatcher hears it at once: what it has not handed to the SMTP server yet does not go to them', async () => {
      const scene = await mailApp(database, { shippedTemplate: true });
      const { deps, storage, world, sink } = scene;
      // The dispatcher's storage counts the renewals of its claims, so the test knows when one has answered.
      const renewals = { count: 0 };
      const outbox = Object.create(storage.outbox) as SqlStorage['outbox'];
      outbox.renewClaims = (token, until) => storage.outbox.renewClaims(token, until).finally(() => renewals.count++);
      const counted = Object.create(storage, { outbox: { value: outbox } }) as SqlStorage;
      const transports = new NodemailerMailTransports({
        maxConnections: 1,
        connectionTimeoutMs: 2000,
        greetingTimeoutMs: 2000,
        socketTimeoutMs: 20_000,
      });
      // Four mails at once over one connection (three wait for it in the pool), and a lease long enough that no renewal
      // comes on its timer during the test.
      const dispatcher = new OutboxDispatcher(
        { ...deps, storage: counted, transports },
        { ...DISPATCH_POLICY, concurrency: 4, leaseSeconds: 120 },
        { pollMs: 60_000, log: SILENT_LOG, coalesceMs: 0 },
      );
      try {
        const tech = await scene.signIn(world.techA.email);
        const number = world.ticketA.number;
        const copies = await tech.put(`/api/v1/tickets/${number}/copies`, { copies: [PIA] });
        assert.equal(copies.statusCode, 200, copies.body);
        const entries: number[] = [];
        for (const text of ['First update.', 'Second update.', 'Third update.', 'Fourth update.']) {
          const posted = await tech.post(`/api/v1/tickets/${number}/messages`, { text });
          assert.equal(posted.statusCode, 201, posted.body);
          entries.push((await storage.outbox.outboxOfMessages([posted.json().message.id]))[0]!.id);
        }

        // The first mail's DATA is in, its answer held: the dispatcher holds all four, the first on the wire, the
        // others waiting for the connection.
        sink.holdData();
        await dispatcher.start();
        await waitUntil(() => sink.dataComplete === 1, 'the first mail on the wire');
        const pia = (await storage.people.findUserByEmail(PIA.email))!;
        const before = renewals.count;
        await eraseRequester(deps, CLI_ORIGIN, pia.id, { confirmEmail: PIA.email });
        await waitUntil(() => renewals.count > before, 'the dispatcher renewing its claims');
        sink.releaseData();

        await waitUntil(
          async () =>
            (await Promise.all(entries.map((id) => storage.outbox.findOutboxEntry(id)))).every(
              (e) => e?.status === 'sent',
            ),
          'every mail sent',
          20_000,
        );
        const withHer = sink.accepted.filter((m) => m.envelope.rcptTo.includes(PIA.email));
        assert.equal(withHer.length, 1, 'only the mail on the wire at the erasure went to her');
        // Each mail went out again without her: five in all (the first twice).
        assert.equal(sink.accepted.length, 5);
        for (const m of sink.accepted.slice(1)) assert.deepEqual(m.envelope.rcptTo, [world.requesterA.email]);
        assert.deepEqual(await tracesIn(storage, [PIA.email, PIA.name]), []);
      } finally {
        sink.releaseData(); // a batch waiting for an answer would keep the dispatcher from stopping
        await dispatcher.stop();
        transports.closeAll();
        await scene.close();
      }
    });
  });
}
