/** /metrics: the backlog gauges an operator alerts on reflect the database, on SQLite and PostgreSQL. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { postgres, sqliteFile, sqliteMemory } from '../support/databases.ts';
import { TestClock, testDeps } from '../support/fixtures.ts';
import { anonymous, testApp } from '../support/http.ts';

/** One gauge's value (without labels, or with the given label text), as the scrape shows it. */
function gauge(body: string, name: string, labels = ''): number {
  const escaped = `${name}${labels}`.replace(/[{}"]/g, (c) => `\\${c}`);
  const match = new RegExp(`^${escaped} (\\S+)$`, 'm').exec(body);
  assert.ok(match, `${name}${labels} is exposed:\n${body}`);
  return Number(match[1]);
}

async function queueMail(storage: SqlStorage, at: string, address: string): Promise<number> {
  const user = await storage.people.createUser(
    { role: 'requester', email: address, name: 'R', locale: 'en-US', timeZone: 'UTC', passwordHash: null },
    at,
  );
  const ticket = await storage.tickets.createTicket(
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
    at,
  );
  const message = {
    ticketId: ticket.id,
    authorId: user.id,
    text: 'x',
    internal: false,
    sendEmail: true,
    source: 'portal' as const,
    timeSpentMinutes: null,
    timeSpentDate: null,
    createdAt: at,
  };
  const mail = {
    ticketId: ticket.id,
    recipientId: user.id,
    toAddress: address,
    toName: 'R',
    subject: 's',
    html: 'h',
    text: 't',
    messageIdHeader: `<${address}>`,
    threadId: null,
    replyTo: null,
  };
  return (await storage.atomic.storeMessage(message, [mail])).outboxIds[0]!;
}

for (const database of [sqliteMemory, sqliteFile, postgres]) {
  describe(`/metrics backlog gauges on ${database.name}`, () => {
    it('the oldest waiting mail, deferred and failed counts and held inbound mail follow the database', async () => {
      const db = await database.open();
      const clock = new TestClock(new Date('2026-05-01T12:00:00.000Z'));
      const app = await testApp(testDeps(db.storage, clock));
      const scrape = async () => {
        const response = await anonymous(app).get('/metrics');
        assert.equal(response.statusCode, 200);
        return response.body;
      };
      try {
        let body = await scrape();
        assert.equal(gauge(body, 'parley_outbox_oldest_queued_age_seconds'), 0, 'no mail waits');
        assert.equal(gauge(body, 'parley_inbound_held'), 0);

        const first = await queueMail(db.storage, '2026-05-01T11:58:30.000Z', 'first@example.test');
        const second = await queueMail(db.storage, '2026-05-01T11:59:00.000Z', 'second@example.test');
        body = await scrape();
        assert.equal(gauge(body, 'parley_outbox_oldest_queued_age_seconds'), 90);
        assert.equal(gauge(body, 'parley_outbox_oldest_due_age_seconds'), 90, 'queued mail is due at once');
        assert.equal(gauge(body, 'parley_outbox_entries', '{status="queued"}'), 2);
        clock.advance(30_000);
        body = await scrape();
        assert.equal(gauge(body, 'parley_outbox_oldest_queued_age_seconds'), 120, 'the age grows');
        assert.equal(gauge(body, 'parley_outbox_oldest_due_age_seconds'), 120, 'nobody sends it: overdue');

        // The first mail fails, the second is deferred: the age is now the second's.
        const token = 'metrics-test-claim';
        await db.storage.outbox.claimOutbox({
          now: '2026-05-01T12:00:30.000Z',
          leaseUntil: '2026-05-01T12:05:30.000Z',
          token,
          limit: 10,
        });
        const at = '2026-05-01T12:00:30.000Z';
        await db.storage.outbox.finishOutboxAttempts(token, [
          { id: first, outcome: { status: 'failed', at, reply: '550', nextAttemptAt: null } },
          { id: second, outcome: { status: 'deferred', at, reply: '451', nextAttemptAt: '2026-05-01T12:10:00.000Z' } },
        ]);
        body = await scrape();
        assert.equal(gauge(body, 'parley_outbox_oldest_queued_age_seconds'), 90);
        assert.equal(gauge(body, 'parley_outbox_oldest_due_age_seconds'), 0, 'deferred to 12:10: not overdue');
        clock.advance(11 * 60_000);
        assert.equal(gauge(await scrape(), 'parley_outbox_oldest_due_age_seconds'), 90, 'overdue since 12:10');
        clock.advance(-11 * 60_000);
        assert.equal(gauge(body, 'parley_outbox_entries', '{status="failed"}'), 1);
        assert.equal(gauge(body, 'parley_outbox_entries', '{status="deferred"}'), 1);
        assert.equal(gauge(body, 'parley_outbox_entries', '{status="queued"}'), 0);

        const held = await db.storage.inbound.insertInboundMail(
          { raw: new Uint8Array([1]), sha256: '0'.repeat(64), envelopeFrom: null, envelopeTo: [], remoteAddress: null },
          at,
        );
        assert.equal(gauge(await scrape(), 'parley_inbound_held'), 0, 'received, not yet held');
        const outcome = { status: 'held' as const, reason: 'no-match' as const, reasonText: 'x', at };
        await db.storage.inbound.finishInboundMail(held, outcome, ['received']);
        assert.equal(gauge(await scrape(), 'parley_inbound_held'), 1);
      } finally {
        await app.close();
        await db.storage.close();
        await db.drop();
      }
    });
  });
}
