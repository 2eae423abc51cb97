/**
 * Migration 014 on a database that already holds tickets without a team: they move to the default team (parameter
 * 9018 when it names a group; otherwise a "Service desk" group, created if missing, becomes the default team), each
 * move recorded as an event of nobody; tickets with a team stay. A database without tickets gets no group. SQLite and
 * PostgreSQL.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { sql } from 'kysely';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { readParameters } from '../../src/domain/parameters/parameters.ts';
import { migrateBefore, UNMIGRATED_DATABASES } from '../support/migrations.ts';

async function before014(storage: SqlStorage) {
  await migrateBefore(storage, '014');
  const db = storage.kyselyInstance;
  await sql`insert into app_user (email, name, role, locale, time_zone, created_at) values ('a@example.test', 'A', 'requester', 'en-US', 'UTC', '2026-01-01T00:00:00.000Z')`.execute(
    db,
  );
  await sql`insert into support_group (name) values ('Network')`.execute(db);
}

async function ticket(storage: SqlStorage, groupId: number | null) {
  await sql`insert into ticket (title, description, status, requester_id, registered_by_id, group_id, created_at, updated_at, last_activity_at, public_activity_at)
    values ('t', 'd', 'new', 1, 1, ${groupId}, '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z', '2026-01-01T00:00:00.000Z')`.execute(
    storage.kyselyInstance,
  );
}

async function teamsAfterUpgrade(storage: SqlStorage) {
  assert.equal((await storage.migrate())[0], '014-ticket-life');
  const tickets = (await storage.tickets.listTickets({ kind: 'all' }, {}, { limit: 100 })).items.sort(
    (a, b) => a.id - b.id,
  );
  return {
    teams: tickets.map((t) => t.groupName),
    defaultTeam: (await readParameters(storage)).get(PARAM.DEFAULT_TEAM),
    events: await Promise.all(
      tickets.map(async (t) =>
        (await storage.tickets.ticketEvents(t.id)).map((e) => [e.kind, e.actorId, e.from, e.to]),
      ),
    ),
    groups: (await storage.people.listGroups()).map((g) => g.name).sort(),
  };
}

for (const database of UNMIGRATED_DATABASES) {
  describe(`migration 014 on ${database.name}`, () => {
    const withStorage = async (work: (storage: SqlStorage) => Promise<void>) => {
      const { storage, drop } = await database.open();
      try {
        await work(storage);
      } finally {
        await storage.close();
        await drop();
      }
    };

    it('without a default team named: a "Service desk" group is created and named, team-less tickets move there', () =>
      withStorage(async (storage) => {
        await before014(storage);
        await ticket(storage, null);
        await ticket(storage, 1);
        await ticket(storage, null);
        const after = await teamsAfterUpgrade(storage);
        assert.deepEqual(after.groups, ['Network', 'Service desk']);
        assert.deepEqual(after.teams, ['Service desk', 'Network', 'Service desk']);
        const desk = (await storage.people.findGroupByName('Service desk'))!;
        assert.equal(after.defaultTeam, desk.id);
        assert.deepEqual(after.events, [
          [['team', null, null, String(desk.id)]],
          [],
          [['team', null, null, String(desk.id)]],
        ]);
      }));

    it('with 9018 naming a group: team-less tickets move to it, no group is created', () =>
      withStorage(async (storage) => {
        await before014(storage);
        await sql`insert into system_parameter (id, value, updated_at) values (9018, '1', '2026-01-01T00:00:00.000Z')`.execute(
          storage.kyselyInstance,
        );
        await ticket(storage, null);
        const after = await teamsAfterUpgrade(storage);
        assert.deepEqual(after.groups, ['Network']);
        assert.deepEqual(after.teams, ['Network']);
        assert.equal(after.defaultTeam, 1);
      }));

    it('a database without tickets gets no group and no default team', () =>
      withStorage(async (storage) => {
        await before014(storage);
        const after = await teamsAfterUpgrade(storage);
        assert.deepEqual(after.groups, ['Network']);
        assert.equal(after.defaultTeam, null);
      }));
  });
}
