/**
 * Who else has a ticket open (`POST /api/v1/tickets/{n}/presence`, `event: presence` on `GET /api/v1/events`) over
 * real HTTP: colleagues who may see the ticket hear of it; requesters and technicians who may not see it never do; on
 * PostgreSQL a report made through one instance reaches a page served by another (NOTIFY). No speed is asserted: the
 * waits only keep a hung test from hanging.
 */
import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createPostgresDatabase, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TEST_PASSWORD, type World } from '../support/fixtures.ts';
import { signIn } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';

interface Stream {
  events: { event: string; data: string }[];
  close(): void;
}

/** A minimal EventSource: GET with a bearer token, frames parsed as they arrive. */
async function listen(app: FastifyInstance, token: string): Promise<Stream> {
  const { port } = app.server.address() as { port: number };
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } },
      (res: IncomingMessage) => {
        const stream: Stream = { events: [], close: () => req.destroy() };
        let buffer = '';
        res.setEncoding('utf8').on('data', (chunk: string) => {
          buffer += chunk;
          for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const event = /^event: (.*)$/m.exec(frame)?.[1];
            if (event) stream.events.push({ event, data: /^data: (.*)$/m.exec(frame)?.[1] ?? '' });
          }
        });
        res.on('error', () => {});
        resolve(stream);
      },
    );
    req.on('error', reject);
    req.end();
  });
}

type Person = { id: number; name: string; typing: boolean };
const presenceOf = (s: Stream) =>
  s.events.filter((e) => e.event === 'presence').map((e) => JSON.parse(e.data) as { number: number; people: Person[] });
/** The last people pushed to the stream for a ticket (undefined: nothing pushed yet). */
const lastPeople = (s: Stream, number: number) =>
  presenceOf(s)
    .filter((p) => p.number === number)
    .at(-1)?.people;
const ready = (streams: Stream[]) =>
  waitUntil(() => streams.every((s) => s.events.some((e) => e.event === 'ready')), 'the streams to be ready');

/** Tina's colleague in group A, who may see ticket A too. */
async function colleague(storage: SqlStorage, world: World) {
  await createUser(testDeps(storage), CLI_ORIGIN, {
    role: 'technician',
    email: 'tech.c@example.test',
    name: 'Carla Colega',
    password: TEST_PASSWORD,
    groupIds: [world.groupA],
  });
  return 'tech.c@example.test';
}

describe('presence on one instance (SQLite)', () => {
  // threat: Staff presence (who has a ticket open, who is writing) → never pushed to requesters
  it('colleagues who may see the ticket hear who has it open and who is writing; requesters, other teams and the person themself do not', async () => {
    const { storage } = await sqliteMemory.open();
    const deps = testDeps(storage);
    const world = await buildWorld(deps);
    const carlaEmail = await colleague(storage, world);
    const app = await buildApp(deps);
    await app.listen({ host: '127.0.0.1', port: 0 });
    const streams: Stream[] = [];
    try {
      const token = async (email: string) => (await createApiToken(deps, CLI_ORIGIN, email)).token;
      const tina = await listen(app, await token('tech.a@example.test'));
      const bruno = await listen(app, await token('tech.b@example.test')); // group B: may not see ticket A
      const requester = await listen(app, await token('req.a@example.test')); // ticket A is theirs
      const carlaStream = await listen(app, await token(carlaEmail));
      streams.push(tina, bruno, requester, carlaStream);
      await ready(streams);
      const carla = await signIn(app, carlaEmail);
      const carlaId = (await carla.get('/api/v1/me')).json().id as number;
      const a = world.ticketA.number;
      const url = `/api/v1/tickets/${a}/presence`;

      // Requesters (even of the ticket) and technicians who may not see it are answered as for a missing ticket.
      const asRequester = await (await signIn(app, 'req.a@example.test')).post(url, { state: 'viewing', tab: 't1' });
      assert.equal(asRequester.statusCode, 404, asRequester.body);
      assert.equal(asRequester.json().code, 'TICKET_NOT_FOUND');
      const asBruno = await (await signIn(app, 'tech.b@example.test')).post(url, { state: 'viewing', tab: 't1' });
      assert.equal(asBruno.statusCode, 404, asBruno.body);
      const bad = await carla.post(url, { state: 'dancing', tab: 't1' });
      assert.equal(bad.statusCode, 400, bad.body);

      assert.equal((await carla.post(url, { state: 'viewing', tab: 'c1' })).statusCode, 204);
      await waitUntil(() => lastPeople(tina, a)?.length === 1, 'Tina to hear that Carla has the ticket open');
      assert.deepEqual(lastPeople(tina, a), [{ id: carlaId, name: 'Carla Colega', typing: false }]);

      assert.equal((await carla.post(url, { state: 'typing', tab: 'c1' })).statusCode, 204);
      await waitUntil(() => lastPeople(tina, a)?.[0]?.typing, 'Tina to hear that Carla is writing');

      // A page connecting now learns who has the ticket open at once.
      const tinaLater = await listen(app, await token('tech.a@example.test'));
      streams.push(tinaLater);
      await waitUntil(() => lastPeople(tinaLater, a)?.[0]?.typing, 'a new page to be told who is there');

      assert.equal((await carla.post(url, { state: 'left', tab: 'c1' })).statusCode, 204);
      await waitUntil(() => lastPeople(tina, a)?.length === 0, 'Tina to hear that Carla left');

      // Fences: changes Bruno and the requester do hear of, pushed after everything above.
      const b = world.ticketB.number;
      const admin = await signIn(app, 'admin@example.test');
      assert.equal((await admin.post(`/api/v1/tickets/${b}/presence`, { state: 'viewing', tab: 'x' })).statusCode, 204);
      await waitUntil(() => lastPeople(bruno, b)?.length === 1, 'Bruno to hear of his own team’s ticket');
      assert.deepEqual(
        presenceOf(bruno).map((p) => p.number),
        [b],
        'nothing of a ticket Bruno may not see',
      );
      await storage.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString());
      await waitUntil(() => requester.events.some((e) => e.event === 'ticket'), 'the requester to hear of the change');
      assert.deepEqual(presenceOf(requester), [], 'requesters never hear of staff presence');
      for (const frame of presenceOf(carlaStream)) {
        assert.ok(!frame.people.some((p) => p.id === carlaId), 'Carla is never told of herself');
      }
    } finally {
      for (const s of streams) s.close();
      await app.close();
      await storage.close();
    }
  });
});

describe('presence across instances (PostgreSQL)', () => {
  it('a report made through one instance reaches a colleague’s page served by another, and no one else', async () => {
    const db = await createPostgresDatabase();
    const one = openPostgresStorage(db.url, { max: 2 });
    const two = openPostgresStorage(db.url, { max: 2 });
    await one.migrate();
    const world = await buildWorld(testDeps(one));
    const carlaEmail = await colleague(one, world);
    const app1 = await buildApp(testDeps(one));
    const app2 = await buildApp(testDeps(two));
    await app2.listen({ host: '127.0.0.1', port: 0 });
    const streams: Stream[] = [];
    try {
      const token = async (email: string) => (await createApiToken(testDeps(one), CLI_ORIGIN, email)).token;
      const tina = await listen(app2, await token('tech.a@example.test'));
      const bruno = await listen(app2, await token('tech.b@example.test'));
      const requester = await listen(app2, await token('req.a@example.test'));
      streams.push(tina, bruno, requester);
      await ready(streams);
      const carla = await signIn(app1, carlaEmail);
      const a = world.ticketA.number;
      const url = `/api/v1/tickets/${a}/presence`;

      assert.equal((await carla.post(url, { state: 'typing', tab: 'c1' })).statusCode, 204);
      await waitUntil(
        () => lastPeople(tina, a)?.[0]?.name === 'Carla Colega' && lastPeople(tina, a)?.[0]?.typing,
        'Tina, on the other instance, to hear that Carla is writing',
      );
      assert.equal((await carla.post(url, { state: 'left', tab: 'c1' })).statusCode, 204);
      await waitUntil(() => lastPeople(tina, a)?.length === 0, 'Tina to hear that Carla left');

      // Fences, as on SQLite.
      const b = world.ticketB.number;
      const admin = await signIn(app1, 'admin@example.test');
      assert.equal((await admin.post(`/api/v1/tickets/${b}/presence`, { state: 'viewing', tab: 'x' })).statusCode, 204);
      await waitUntil(() => lastPeople(bruno, b)?.length === 1, 'Bruno to hear of his own team’s ticket');
      assert.deepEqual(
        presenceOf(bruno).map((p) => p.number),
        [b],
        'nothing of a ticket Bruno may not see',
      );
      await one.tickets.updateTicket(world.ticketA.id, { status: 'waiting' }, new Date().toISOString());
      await waitUntil(() => requester.events.some((e) => e.event === 'ticket'), 'the requester to hear of the change');
      assert.deepEqual(presenceOf(requester), [], 'requesters never hear of staff presence');
    } finally {
      for (const s of streams) s.close();
      await app1.close();
      await app2.close();
      await Promise.all([one.close(), two.close()]);
      await db.drop();
    }
  });
});
