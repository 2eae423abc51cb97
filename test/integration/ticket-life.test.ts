/**
 * Every ticket in a queue and the life of a ticket told (issue 16, points 1 and 3): the default team (parameter 9018)
 * on each way a ticket is opened (portal, API, a technician opening for a requester, mail), behind 9004 and 9016 when
 * they are set; its validation; and the changes of status, team, responsible and copies recorded and listed with the
 * thread, a requester seeing the status changes only. SQLite and PostgreSQL, through inject().
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { readParameters } from '../../src/domain/parameters/parameters.ts';
import { seedDemo } from '../../src/delivery/cli/seed-demo.ts';
import { createGroup } from '../../src/domain/users/create-group.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, withToken, type Client } from '../support/http.ts';
import { verified } from '../support/sender.ts';

let counter = 0;

for (const database of [sqliteMemory, postgres]) {
  describe(`a ticket's queue and life, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let world: World;
    let app: FastifyInstance;
    let admin: Client;
    let techA: Client;
    let techB: Client;
    let requesterA: Client;
    let requesterB: Client;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      world = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, world.admin.email);
      techA = await signIn(app, world.techA.email);
      techB = await signIn(app, world.techB.email);
      requesterA = await signIn(app, world.requesterA.email);
      requesterB = await signIn(app, world.requesterB.email);
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    const open = async (client: Client, body: Record<string, unknown>) => {
      const reply = await client.post('/api/v1/tickets', { title: 'Help', description: 'Please.', ...body });
      assert.equal(reply.statusCode, 201, reply.body);
      return reply.json() as { number: number; group: { id: number } | null };
    };
    const teamOf = async (number: number) => (await storage.tickets.findTicketByNumber(number))!.groupId;
    const thread = async (client: Client, number: number) => {
      const reply = await client.get(`/api/v1/tickets/${number}/messages`);
      assert.equal(reply.statusCode, 200, reply.body);
      return reply.json() as {
        items: unknown[];
        events: { kind: string; actor: { name: string } | null; from: string | null; to: string | null }[];
      };
    };
    const byMail = async (from: string, name: string) => {
      const raw = verified(
        eml('new-request-en', {
          FROM: from,
          FROM_NAME: name,
          TO: 'desk@desk.example.test',
          MESSAGE_ID: `<life${++counter}.${Date.now()}@mail.example.org>`,
        }),
      );
      const id = await receiveMail(deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: from,
        envelopeTo: ['desk@desk.example.test'],
        remoteAddress: '127.0.0.1',
      });
      const done = await processInboundMail(
        { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
        id,
      );
      assert.deepEqual([done?.status, done?.reason], ['posted', 'new-ticket'], done?.reasonText ?? '');
      return done!.ticketId!;
    };

    it('before a default team is named, a ticket still opens, in no queue; naming one moves it there, recorded', async () => {
      const early = await open(requesterA, {});
      assert.equal(early.group, null);
      assert.equal((await techA.get(`/api/v1/tickets/${early.number}`)).statusCode, 404);
      const set = await admin.put(`/api/v1/admin/parameters/${PARAM.DEFAULT_TEAM}`, { value: world.groupA });
      assert.equal(set.statusCode, 200, set.body);
      assert.equal(await teamOf(early.number), world.groupA);
      assert.equal((await techA.get(`/api/v1/tickets/${early.number}`)).statusCode, 200);
      const events = (await thread(techA, early.number)).events;
      assert.deepEqual(
        events.map((e) => [e.kind, e.actor?.name, e.from, e.to]),
        [['team', 'Alex Admin', null, 'Group A']],
      );
    });

    it('9018 must name an existing team, cannot be emptied, and its team cannot be deleted', async () => {
      const missing = await admin.put(`/api/v1/admin/parameters/${PARAM.DEFAULT_TEAM}`, { value: 999999 });
      assert.equal(missing.statusCode, 422);
      assert.equal(missing.json().code, 'PARAMETER_INVALID');
      assert.match(missing.json().message, /no team with ID 999999/);
      const text = await admin.put(`/api/v1/admin/parameters/${PARAM.DEFAULT_TEAM}`, { value: 'Group A' });
      assert.equal(text.statusCode, 422);
      const emptied = await admin.put(`/api/v1/admin/parameters/${PARAM.DEFAULT_TEAM}`, { value: null });
      assert.equal(emptied.statusCode, 422);
      assert.equal(emptied.json().details.rule, 'required');
      assert.equal((await admin.get(`/api/v1/admin/parameters/${PARAM.DEFAULT_TEAM}`)).json().value, world.groupA);
      const empty = await createGroup(deps, CLI_ORIGIN, { name: 'Empty default' });
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.DEFAULT_TEAM, empty.id);
      const refused = await admin.delete(`/api/v1/admin/groups/${empty.id}`);
      assert.equal(refused.statusCode, 409);
      assert.equal(refused.json().code, 'GROUP_IN_USE');
      assert.equal(refused.json().details.parameter, PARAM.DEFAULT_TEAM);
      assert.match(refused.json().message, /default team/);
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.DEFAULT_TEAM, world.groupA);
      assert.equal((await admin.delete(`/api/v1/admin/groups/${empty.id}`)).statusCode, 204);
    });

    it('a ticket opened without a team goes to the default team: portal, API token, a technician for a requester', async () => {
      const portal = await open(requesterB, {});
      assert.equal(portal.group?.id, world.groupA);
      const created = await requesterB.post('/api/v1/me/tokens', { name: 'Script', scope: 'full' });
      assert.equal(created.statusCode, 201, created.body);
      const api = await open(withToken(app, created.json().token), {});
      assert.equal(await teamOf(api.number), world.groupA);
      // A technician of group B opens one for requester A without naming a team: it is in group A's queue.
      const forRequester = await open(techB, { requesterId: world.requesterA.id });
      assert.equal(await teamOf(forRequester.number), world.groupA);
      assert.equal((await techA.get(`/api/v1/tickets/${forRequester.number}`)).statusCode, 200);
      // A team given is kept.
      const named = await open(requesterA, { groupId: world.groupB });
      assert.equal(await teamOf(named.number), world.groupB);
    });

    it('mail opening a ticket: 9004 first, then the support mailbox team 9016, then the default team', async () => {
      assert.equal(await teamOf(await byMail(world.requesterB.email, world.requesterB.name)), world.groupA);
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.SUPPORT_MAILBOX_TEAM, world.groupB);
      assert.equal(await teamOf(await byMail(world.requesterB.email, world.requesterB.name)), world.groupB);
      const other = await createGroup(deps, CLI_ORIGIN, { name: 'Mail team' });
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.INBOUND_TICKET_GROUP, 'Mail team');
      assert.equal(await teamOf(await byMail(world.requesterB.email, world.requesterB.name)), other.id);
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.INBOUND_TICKET_GROUP, null);
      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.SUPPORT_MAILBOX_TEAM, null);
    });

    // threat: A requester reading their thread learns the status changes of their ticket only
    it('records status, team, responsible and copies changes: who, from what to what; requesters see status only', async () => {
      const { number } = await open(requesterA, { title: 'Life' });
      const patch = async (client: Client, body: Record<string, unknown>) => {
        const reply = await client.patch(`/api/v1/tickets/${number}`, body);
        assert.equal(reply.statusCode, 200, reply.body);
      };
      await patch(techA, { status: 'in_progress', responsibleId: world.techA.id });
      await patch(techA, { status: 'in_progress', title: 'Life, renamed' }); // same status: nothing recorded
      await patch(techA, { status: 'waiting' });
      const copies = await techA.put(`/api/v1/tickets/${number}/copies`, {
        copies: [{ email: world.requesterB.email }, { email: 'new.cc@partner.example', name: 'Nina Cc' }],
      });
      assert.equal(copies.statusCode, 200, copies.body);
      assert.equal(
        (await techA.put(`/api/v1/tickets/${number}/copies`, { copies: [{ email: 'new.cc@partner.example' }] }))
          .statusCode,
        200,
      );
      await patch(admin, { groupId: world.groupB, responsibleId: world.techB.id });
      await patch(techB, { responsibleId: null });
      const refused = await techB.patch(`/api/v1/tickets/${number}`, { status: 'nonsense' });
      assert.equal(refused.statusCode, 400);
      // With a default team named, a ticket's team can change but not go: it would leave every queue.
      const teamless = await techB.patch(`/api/v1/tickets/${number}`, { groupId: null });
      assert.equal(teamless.statusCode, 422, teamless.body);
      assert.equal(teamless.json().code, 'TICKET_TEAM_REQUIRED');
      const staff = (await thread(techB, number)).events.map((e) => [e.kind, e.actor?.name, e.from, e.to]);
      assert.deepEqual(staff, [
        ['status', 'Tina Tech', 'new', 'in_progress'],
        ['responsible', 'Tina Tech', null, 'Tina Tech'],
        ['status', 'Tina Tech', 'in_progress', 'waiting'],
        ['copy_added', 'Tina Tech', null, 'Rita Requester'],
        ['copy_added', 'Tina Tech', null, 'Nina Cc'],
        ['copy_removed', 'Tina Tech', 'Rita Requester', null],
        ['team', 'Alex Admin', 'Group A', 'Group B'],
        ['responsible', 'Alex Admin', 'Tina Tech', 'Bruno Técnico'],
        ['responsible', 'Bruno Técnico', 'Bruno Técnico', null],
      ]);
      const requester = (await thread(requesterA, number)).events.map((e) => [e.kind, e.actor?.name, e.from, e.to]);
      assert.deepEqual(requester, [
        ['status', 'Tina Tech', 'new', 'in_progress'],
        ['status', 'Tina Tech', 'in_progress', 'waiting'],
      ]);
      // A person the ticket no longer copies, and who cannot see it: 404, as for any ticket they may not see.
      assert.equal((await requesterB.get(`/api/v1/tickets/${number}/messages`)).statusCode, 404);
    });

    it('a team deleted since is named by an empty string, for the web to word', async () => {
      const { number } = await open(requesterA, {});
      const passing = await createGroup(deps, CLI_ORIGIN, { name: 'Passing through' });
      assert.equal((await admin.patch(`/api/v1/tickets/${number}`, { groupId: passing.id })).statusCode, 200);
      assert.equal((await admin.patch(`/api/v1/tickets/${number}`, { groupId: world.groupA })).statusCode, 200);
      assert.equal((await admin.delete(`/api/v1/admin/groups/${passing.id}`)).statusCode, 204);
      assert.deepEqual(
        (await thread(techA, number)).events.map((e) => [e.kind, e.from, e.to]),
        [
          ['team', 'Group A', ''],
          ['team', '', 'Group A'],
        ],
      );
    });

    it('an erased requester named by an event appears under their pseudonym', async () => {
      const { number } = await open(requesterA, { title: 'Copy me' });
      await techA.put(`/api/v1/tickets/${number}/copies`, {
        copies: [{ email: 'gone@partner.example', name: 'Gina Gone' }],
      });
      const gone = (await storage.people.findUserByEmail('gone@partner.example'))!;
      const erased = await admin.post(`/api/v1/admin/users/${gone.id}/erase`, { confirmEmail: 'gone@partner.example' });
      assert.equal(erased.statusCode, 200, erased.body);
      const events = (await thread(techA, number)).events;
      const added = events.find((e) => e.kind === 'copy_added')!;
      assert.notEqual(added.to, 'Gina Gone');
      assert.equal(added.to, (await storage.people.findUserById(gone.id))!.name);
      assert.doesNotMatch(JSON.stringify(events), /Gina|gone@partner/);
    });

    it('the demo names the Service Desk as the default team', async () => {
      const demo = await seedDemo(deps, { smtpPort: 2525 });
      const desk = (await storage.people.findGroupByName('Service Desk'))!;
      assert.deepEqual(demo.defaultTeam, { id: desk.id, name: 'Service Desk' });
      assert.equal((await readParameters(storage)).get(PARAM.DEFAULT_TEAM), desk.id);
      assert.equal((await open(requesterA, {})).group?.id, desk.id);
    });
  });
}
