/**
 * The storage contract of the desk's queue (search, sorts, filters, keyset pages, the unseen marker), run against
 * every real database Parley supports (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { TICKET_SORTS, type TicketOrder } from '../../src/domain/tickets/ticket-order.ts';
import { TICKET_STATUSES, type TicketStatus } from '../../src/domain/tickets/ticket-status.ts';
import { parseTicketSearch } from '../../src/domain/tickets/ticket-search.ts';
import type { ListedTicket, TicketFilter, TicketScope } from '../../src/ports/storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newTicket, newUser, useDatabase } from './contract-support.ts';

const ALL: TicketScope = { kind: 'all' };
const at = (minute: number) => `2026-03-14T16:${String(minute).padStart(2, '0')}:00.000Z`;

for (const database of ALL_DATABASES) {
  describe(`storage contract, the queue, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));
    let tech: number;
    let other: number;
    let zuleica: number;
    let bento: number;
    let teamA: number;
    let teamB: number;
    const numbers: Record<string, number> = {};

    const message = (ticketId: number, authorId: number, text: string, internal: boolean, minute: number) =>
      storage.atomic.storeMessage(
        {
          ticketId,
          authorId,
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

    async function list(
      filter: TicketFilter = {},
      page: { cursor?: string | null; limit?: number; order?: TicketOrder } = {},
      scope: TicketScope = ALL,
      viewerId = tech,
    ) {
      return storage.tickets.listTickets(scope, filter, { limit: page.limit ?? 100, viewerId, ...page });
    }
    const found = async (text: string, scope: TicketScope = ALL) =>
      (await list({ search: parseTicketSearch(text)! }, {}, scope)).items.map((t) => t.number).sort((a, b) => a - b);

    before(async () => {
      tech = (await storage.people.createUser(newUser('queue.tech@example.test', 'technician'), AT)).id;
      other = (await storage.people.createUser(newUser('queue.other@example.test', 'technician'), AT)).id;
      zuleica = (
        await storage.people.createUser({ ...newUser('zuleica.fontes@example.test'), name: 'Zuleica Fontes' }, AT)
      ).id;
      bento = (await storage.people.createUser({ ...newUser('bento@example.test'), name: 'Bento Alves' }, AT)).id;
      teamA = (await storage.people.createGroup('Queue team A')).id;
      teamB = (await storage.people.createGroup('Queue team B')).id;
      await storage.people.addGroupMember(teamA, tech);
      const specs: [string, number, number | null, number | null, TicketStatus][] = [
        ['Impressora não imprime', zuleica, teamA, tech, 'new'],
        ['Hydraulic pump leaking', bento, teamA, null, 'in_progress'],
        ['Password reset', zuleica, teamB, other, 'waiting'],
        ['Monitor flickers', bento, teamB, null, 'resolved'],
        ['Badge reader broken', zuleica, null, null, 'closed'],
        ['Printer jam', bento, teamA, other, 'new'],
        ['Printer toner', zuleica, teamA, tech, 'waiting'],
        ['VPN drops', bento, teamB, tech, 'in_progress'],
      ];
      for (const [i, [title, requester, groupId, responsibleId, status]] of specs.entries()) {
        const description = title === 'Password reset' ? 'Locked out after the holidays' : 'D';
        const t = await storage.tickets.createTicket(
          newTicket(requester, { title, description, groupId, responsibleId }),
          at(i),
        );
        if (status !== 'new') await storage.tickets.updateTicket(t.id, { status }, at(i));
        numbers[title] = t.number;
      }
      await message(
        numbers['Monitor flickers']!,
        bento,
        'The screen shows stripes after the firmware update',
        false,
        20,
      );
      await message(numbers['VPN drops']!, tech, 'Suspect the bluefinch concentrator', true, 21);
    });

    it('finds a ticket by its number, title and description words, requester and the text of its messages', async () => {
      const n = numbers['Password reset']!;
      assert.deepEqual(await found(String(n)), [n]);
      assert.deepEqual(await found(`#${n}`), [n]);
      assert.deepEqual(await found('printer'), [numbers['Printer jam']!, numbers['Printer toner']!]);
      assert.deepEqual(await found('print jam'), [numbers['Printer jam']!], 'every word, each a prefix');
      assert.deepEqual(await found('impressora'), [numbers['Impressora não imprime']!]);
      assert.deepEqual(await found('não'), [numbers['Impressora não imprime']!], 'an accented word finds itself');
      assert.deepEqual(await found('Zuleica').then((x) => x.length), 4);
      assert.deepEqual(
        await found('bento@example'),
        [2, 4, 6, 8].map((i) => Object.values(numbers)[i - 1]!),
      );
      assert.deepEqual(await found('firmware stripes'), [numbers['Monitor flickers']!]);
      assert.deepEqual(await found('holiday'), [numbers['Password reset']!], 'a word of the description');
      assert.deepEqual(await found('password holidays'), [numbers['Password reset']!], 'title and description');
      assert.deepEqual(await found('nothing-like-this'), []);
      assert.deepEqual(await found('50%_'), [], 'LIKE characters are text');
    });

    // threat: Ticket search never reveals the words of an internal note to a requester
    it('finds the words of an internal note for staff only', async () => {
      assert.deepEqual(await found('bluefinch'), [numbers['VPN drops']!]);
      assert.deepEqual(await found('bluefinch', { kind: 'requester', requesterId: bento }), []);
      assert.deepEqual(await found('VPN', { kind: 'requester', requesterId: bento }), [numbers['VPN drops']!]);
      assert.deepEqual(await found('VPN', { kind: 'requester', requesterId: zuleica }), [], 'not theirs');
    });

    it('pages every sort both ways without a duplicate or a gap, ties in number order', async () => {
      for (const sort of TICKET_SORTS) {
        for (const direction of ['asc', 'desc'] as const) {
          const order = { sort, direction };
          const whole = (await list({}, { order })).items.map((t) => t.number);
          assert.equal(whole.length, 8);
          const paged: number[] = [];
          let cursor: string | null = null;
          do {
            const page = await list({}, { order, cursor, limit: 3 });
            assert.ok(page.items.length <= 3);
            paged.push(...page.items.map((t) => t.number));
            cursor = page.nextCursor;
          } while (cursor);
          assert.deepEqual(paged, whole, `${sort} ${direction}`);
          const reverse = (await list({}, { order: { sort, direction: direction === 'asc' ? 'desc' : 'asc' } })).items;
          assert.deepEqual(
            reverse.map((t) => t.number),
            [...whole].reverse(),
          );
        }
      }
      const byStatus = (await list({}, { order: { sort: 'status', direction: 'asc' } })).items;
      const rank = (t: ListedTicket) => TICKET_STATUSES.indexOf(t.status);
      for (let i = 1; i < byStatus.length; i++) {
        const [a, b] = [byStatus[i - 1]!, byStatus[i]!];
        assert.ok(rank(a) < rank(b) || (rank(a) === rank(b) && a.number < b.number), 'workflow order, then number');
      }
      const byTeam = (await list({}, { order: { sort: 'group', direction: 'asc' } })).items;
      assert.equal(byTeam[0]!.groupId, null, 'no team first');
      const byActivity = (await list({}, { order: { sort: 'activity', direction: 'desc' } })).items;
      assert.equal(byActivity[0]!.number, numbers['VPN drops']);
    });

    it('a cursor of another order starts again from the first page', async () => {
      const first = await list({}, { limit: 3, order: { sort: 'title', direction: 'asc' } });
      const again = await list({}, { limit: 3, cursor: first.nextCursor, order: { sort: 'title', direction: 'desc' } });
      const top = await list({}, { limit: 3, order: { sort: 'title', direction: 'desc' } });
      assert.deepEqual(
        again.items.map((t) => t.number),
        top.items.map((t) => t.number),
      );
      const garbage = await list({}, { limit: 3, cursor: 'not-a-cursor' });
      assert.equal(garbage.items.length, 3);
    });

    it('filters by team, status, responsible and nobody responsible, with a search', async () => {
      const numbersOf = async (filter: TicketFilter) =>
        (await list(filter)).items.map((t) => t.number).sort((a, b) => a - b);
      assert.deepEqual(
        await numbersOf({ groupId: teamB }),
        [3, 4, 8].map((i) => Object.values(numbers)[i - 1]!),
      );
      assert.deepEqual(
        await numbersOf({ status: 'waiting' }),
        [3, 7].map((i) => Object.values(numbers)[i - 1]!),
      );
      assert.deepEqual(
        await numbersOf({ responsibleId: tech }),
        [1, 7, 8].map((i) => Object.values(numbers)[i - 1]!),
      );
      assert.deepEqual(
        await numbersOf({ unassigned: true }),
        [2, 4, 5].map((i) => Object.values(numbers)[i - 1]!),
      );
      assert.deepEqual(await numbersOf({ groupId: teamA, search: parseTicketSearch('printer') }), [
        numbers['Printer jam']!,
        numbers['Printer toner']!,
      ]);
      assert.deepEqual(await numbersOf({ groupId: teamA, unassigned: true }), [numbers['Hydraulic pump leaking']!]);
    });

    it('a technician sees their teams’, their own and the tickets they registered', async () => {
      const registered = await storage.tickets.createTicket(
        newTicket(bento, { title: 'Opened by phone', registeredById: other, groupId: teamB }),
        at(30),
      );
      const scope: TicketScope = { kind: 'technician', userId: other, groupIds: [] };
      const seen = (await list({}, {}, scope, other)).items.map((t) => t.number).sort((a, b) => a - b);
      assert.deepEqual(seen, [numbers['Password reset']!, numbers['Printer jam']!, registered.number]);
    });

    it('unseen until the viewer reads the thread; any later activity makes it unseen again', async () => {
      const n = numbers['Hydraulic pump leaking']!;
      const state = async (viewer = tech) =>
        (await list({}, {}, ALL, viewer)).items.find((t) => t.number === n)!.unseen;
      const unseenOnes = async () => (await list({ unseen: true })).items.map((t) => t.number);
      assert.equal(await state(), true, 'never opened');
      await storage.tickets.markTicketSeen(n, tech);
      assert.equal(await state(), false);
      assert.equal(await state(other), true, 'per technician');
      assert.ok(!(await unseenOnes()).includes(n));
      await message(n, bento, 'It leaks again', false, 40);
      assert.equal(await state(), true, 'a requester’s reply');
      assert.ok((await unseenOnes()).includes(n));
      await storage.tickets.markTicketSeen(n, tech);
      await storage.tickets.markTicketSeen(n, tech);
      assert.equal(await state(), false, 'marking twice is harmless');
      await message(n, other, 'Ordered a gasket', true, 41);
      assert.equal(await state(), true, 'an internal note');
      await storage.tickets.markTicketSeen(n, tech);
      await storage.tickets.updateTicket(n, { status: 'waiting' }, at(42));
      assert.equal(await state(), true, 'a change');
    });
  });
}
