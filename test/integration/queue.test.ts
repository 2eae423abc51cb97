/**
 * The desk's queue through HTTP (inject()): search, sort and filters in the query, keyset pages, the unread marker
 * going when a technician reads the thread and coming back with the requester's reply, and the tickets a technician
 * registered. On SQLite and PostgreSQL.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, TestClock, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

interface Listed {
  number: number;
  title: string;
  unseen: boolean;
  responsible: { id: number } | null;
}

for (const database of [sqliteMemory, postgres]) {
  describe(`the desk's queue through HTTP, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    const clock = new TestClock();
    let world: World;
    let app: FastifyInstance;
    let tech: Client;
    let requesterA: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage, clock);
      world = await buildWorld(deps);
      app = await testApp(deps);
      tech = await signIn(app, world.techA.email);
      requesterA = await signIn(app, world.requesterA.email);
      for (const title of ['Scanner offline', 'Scanner paper feed', 'Keyboard sticky'])
        assert.equal(
          (await requesterA.post('/api/v1/tickets', { title, description: 'd', groupId: world.groupA })).statusCode,
          201,
        );
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    const list = async (client: Client, query: string) => {
      const r = await client.get(`/api/v1/tickets${query}`);
      assert.equal(r.statusCode, 200, r.body);
      return r.json() as { items: Listed[]; nextCursor: string | null };
    };

    it('searches, sorts and pages through the query string', async () => {
      const found = await list(tech, '?search=scanner&sort=title&direction=asc');
      assert.deepEqual(
        found.items.map((t) => t.title),
        ['Scanner offline', 'Scanner paper feed'],
      );
      const first = await list(tech, '?sort=title&direction=desc&limit=2');
      const second = await list(tech, `?sort=title&direction=desc&limit=2&cursor=${first.nextCursor}`);
      const all = await list(tech, '?sort=title&direction=desc');
      assert.deepEqual(
        [...first.items, ...second.items].map((t) => t.number),
        all.items.slice(0, 4).map((t) => t.number),
      );
      assert.equal((await list(tech, `?search=%23${world.ticketA.number}`)).items[0]?.number, world.ticketA.number);
    });

    it('a tampered cursor, its value of the wrong type for the sort, starts again at the first page', async () => {
      const forge = (sort: string, direction: string, value: unknown) =>
        Buffer.from(JSON.stringify([sort, direction, value, 5])).toString('base64url');
      for (const [sort, value] of [
        ['status', 'abc'],
        ['activity', 'not a time'],
        ['activity', 7],
        ['title', 3],
        ['number', 'x'],
      ] as const) {
        const first = await list(tech, `?sort=${sort}&direction=desc`);
        const r = await tech.get(`/api/v1/tickets?sort=${sort}&direction=desc&cursor=${forge(sort, 'desc', value)}`);
        assert.equal(r.statusCode, 200, `${sort} ${String(value)}: ${r.body}`);
        assert.deepEqual(
          (r.json() as typeof first).items.map((t) => t.number),
          first.items.map((t) => t.number),
        );
      }
    });

    it('filters by the technician responsible', async () => {
      const all = await list(tech, '?sort=number&direction=asc');
      const scanner = all.items.find((t) => t.title === 'Scanner offline')!;
      const patched = await tech.patch(`/api/v1/tickets/${scanner.number}`, { responsibleId: world.techA.id });
      assert.equal(patched.statusCode, 200, patched.body);
      const theirs = await list(tech, `?responsibleId=${world.techA.id}`);
      assert.ok(theirs.items.length > 0);
      assert.ok(theirs.items.some((t) => t.number === scanner.number));
      const expected = all.items.filter((t) => t.responsible?.id === world.techA.id || t.number === scanner.number);
      assert.deepEqual(theirs.items.map((t) => t.number).sort(), expected.map((t) => t.number).sort());
      assert.ok(theirs.items.every((t) => t.responsible?.id === world.techA.id));
      assert.equal((await tech.get('/api/v1/tickets?responsibleId=0')).statusCode, 400);
    });

    it('refuses an unknown sort or direction with a code and a sentence', async () => {
      for (const query of ['?sort=secret', '?direction=sideways', `?search=${'x'.repeat(201)}`]) {
        const r = await tech.get(`/api/v1/tickets${query}`);
        assert.equal(r.statusCode, 400, query);
        assert.ok(r.json().code);
        assert.ok(r.json().message);
      }
    });

    it('unread until the technician reads the thread; the requester’s reply makes it unread again', async () => {
      const n = world.ticketA.number;
      const state = async () => (await list(tech, '')).items.find((t) => t.number === n)!.unseen;
      assert.equal(await state(), true);
      assert.equal((await tech.get(`/api/v1/tickets/${n}`)).statusCode, 200);
      assert.equal(await state(), true, 'the ticket alone is not its thread');
      assert.equal((await tech.get(`/api/v1/tickets/${n}/messages`)).statusCode, 200);
      assert.equal(await state(), false);
      assert.ok(!(await list(tech, '?unseen=true')).items.some((t) => t.number === n));
      clock.advance(60_000);
      assert.equal((await requesterA.post(`/api/v1/tickets/${n}/messages`, { text: 'Still jamming' })).statusCode, 201);
      assert.equal(await state(), true);
      assert.ok((await list(tech, '?unseen=true')).items.some((t) => t.number === n));
    });

    // threat: A technician who registered a ticket for a requester sees it (and its thread) outside their teams
    it('a technician sees the ticket they registered in another team, and no other ticket of that team', async () => {
      const opened = await tech.post('/api/v1/tickets', {
        title: 'Phoned in for Rita',
        description: 'She called the desk.',
        requesterId: world.requesterB.id,
        groupId: world.groupB,
      });
      assert.equal(opened.statusCode, 201, opened.body);
      const n = opened.json().number as number;
      assert.equal((await tech.get(`/api/v1/tickets/${n}`)).statusCode, 200);
      assert.equal((await tech.get(`/api/v1/tickets/${n}/messages`)).statusCode, 200);
      const listed = (await list(tech, '')).items.map((t) => t.number);
      assert.ok(listed.includes(n));
      assert.ok(!listed.includes(world.ticketB.number));
      assert.equal((await tech.get(`/api/v1/tickets/${world.ticketB.number}`)).statusCode, 404);
      assert.equal((await list(tech, '?search=laptop')).items.length, 0, 'search keeps to what they may see');
    });
  });
}
