/**
 * The queue's search finds the same pages whichever way it runs (src/adapters/storage/sql/ticket-search-plan.ts):
 * gathering every match, or walking the tickets in order (chosen when many messages hold the words). Two databases
 * of each kind get the same rows; one always walks, the other always gathers.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgresStorage } from '../../src/adapters/storage/postgres/postgres-storage.ts';
import type { SearchTuning } from '../../src/adapters/storage/sql/sql-dialect.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { openSqliteStorage } from '../../src/adapters/storage/sqlite/sqlite-storage.ts';
import type { TicketOrder } from '../../src/domain/tickets/ticket-order.ts';
import { parseTicketSearch } from '../../src/domain/tickets/ticket-search.ts';
import type { TicketScope } from '../../src/ports/storage.ts';
import { createPostgresDatabase } from '../support/databases.ts';
import { AT, newTicket, newUser } from './contract-support.ts';

const WALK: SearchTuning = { walkFromMessages: 1 };
const GATHER: SearchTuning = { walkFromMessages: 1_000_000_000 };
const at = (minute: number) =>
  `2026-03-14T${String(10 + Math.floor(minute / 60)).padStart(2, '0')}:${String(minute % 60).padStart(2, '0')}:00.000Z`;

type Open = (tuning: SearchTuning) => Promise<{ storage: SqlStorage; drop(): Promise<void> }>;
const KINDS: [string, Open][] = [
  [
    'sqlite-memory',
    async (searchTuning) => ({ storage: openSqliteStorage(':memory:', { searchTuning }), drop: async () => {} }),
  ],
  [
    'sqlite-file',
    async (searchTuning) => {
      const dir = mkdtempSync(join(tmpdir(), 'parley-test-'));
      const storage = openSqliteStorage(join(dir, 'parley.db'), { searchTuning });
      return { storage, drop: async () => rmSync(dir, { recursive: true, force: true }) };
    },
  ],
  [
    'postgres',
    async (searchTuning) => {
      const db = await createPostgresDatabase();
      return { storage: openPostgresStorage(db.url, { max: 2, searchTuning }), drop: db.drop };
    },
  ],
];

/** 30 tickets of two requesters; "gasket" in most of them, in some only in an internal note; one in a title. */
async function seed(storage: SqlStorage) {
  await storage.migrate();
  const tech = (await storage.people.createUser(newUser('plans.tech@example.test', 'technician'), AT)).id;
  const ana = (await storage.people.createUser({ ...newUser('ana@example.test'), name: 'Ana Gasparini' }, AT)).id;
  const rui = (await storage.people.createUser({ ...newUser('rui@example.test'), name: 'Rui Costa' }, AT)).id;
  for (let i = 0; i < 30; i++) {
    const requester = i % 3 === 0 ? rui : ana;
    const title = i === 7 ? 'Gasket order' : `Pump ${i}`;
    const description = i === 11 ? 'The gasket seal is worn' : 'D';
    const t = await storage.tickets.createTicket(newTicket(requester, { title, description }), at(i));
    const say = (text: string, internal: boolean, minute: number) =>
      storage.atomic.storeMessage(
        {
          ticketId: t.id,
          authorId: internal ? tech : requester,
          text,
          internal,
          sendEmail: false,
          source: 'desk',
          timeSpentMinutes: null,
          timeSpentDate: null,
          createdAt: at(minute),
        },
        [],
      );
    await say(`The pump ${i} leaks`, false, 40 + i);
    if (i % 4 === 1) await say('A new gasket fitted', false, 100 - i);
    if (i % 4 === 2) await say('Gaskets are on order, do not tell yet', true, 100 - i);
    if (i % 5 === 0) await say('Ordered the gasket kit', false, 130 + i);
  }
  return { tech, ana, rui };
}

for (const [kind, open] of KINDS) {
  describe(`storage contract, the queue's search plans, on ${kind}`, () => {
    const opened: { storage: SqlStorage; drop(): Promise<void> }[] = [];
    let walk: SqlStorage;
    let gather: SqlStorage;
    let people: Awaited<ReturnType<typeof seed>>;
    before(async () => {
      for (const tuning of [WALK, GATHER]) opened.push(await open(tuning));
      [walk, gather] = opened.map((o) => o.storage) as [SqlStorage, SqlStorage];
      people = await seed(walk);
      assert.deepEqual(await seed(gather), people);
    });
    after(async () => {
      for (const o of opened) {
        await o.storage.close();
        await o.drop();
      }
    });

    /** Every page of a search, 4 at a time, by following the cursors. */
    async function pages(storage: SqlStorage, text: string, order: TicketOrder, scope: TicketScope) {
      const all: number[][] = [];
      let cursor: string | null = null;
      do {
        const page = await storage.tickets.listTickets(
          scope,
          { search: parseTicketSearch(text)! },
          { limit: 4, cursor, order, viewerId: people.tech },
        );
        all.push(page.items.map((t) => t.number));
        cursor = page.nextCursor;
      } while (cursor && all.length < 20);
      return all;
    }

    it('walking finds the same pages as gathering, for staff and requesters, in every walked order', async () => {
      const scopes: TicketScope[] = [
        { kind: 'all' },
        { kind: 'requester', requesterId: people.ana },
        { kind: 'requester', requesterId: people.rui },
      ];
      const orders: TicketOrder[] = [
        { sort: 'number', direction: 'desc' },
        { sort: 'number', direction: 'asc' },
        { sort: 'activity', direction: 'desc' },
        { sort: 'activity', direction: 'asc' },
      ];
      for (const text of ['gasket', 'gask', 'gasket kit', 'gasket seal', 'pump 12', '7', 'gasparini', 'nothing-here'])
        for (const scope of scopes)
          for (const order of orders) {
            const expected = await pages(gather, text, order, scope);
            assert.deepEqual(
              await pages(walk, text, order, scope),
              expected,
              `${text} ${scope.kind} ${order.sort} ${order.direction}`,
            );
          }
    });

    // threat: Ticket search never reveals the words of an internal note to a requester
    it('walking finds an internal note’s words for staff only, and a requester’s own tickets only', async () => {
      const order: TicketOrder = { sort: 'number', direction: 'asc' };
      const found = async (scope: TicketScope) => (await pages(walk, 'gaskets', order, scope)).flat();
      const staff = await found({ kind: 'all' });
      assert.equal(staff.length, 7, 'the tickets whose internal note says "Gaskets"');
      assert.deepEqual(await found({ kind: 'requester', requesterId: people.ana }), []);
      const gasket = (await pages(walk, 'gasket', order, { kind: 'requester', requesterId: people.rui })).flat();
      const mine = (await pages(walk, 'pump', order, { kind: 'requester', requesterId: people.rui })).flat();
      assert.ok(gasket.length > 0 && gasket.every((n) => mine.includes(n)), 'only Rui’s tickets');
      assert.ok(!gasket.some((n) => staff.includes(n) && !mine.includes(n)));
    });
  });
}
