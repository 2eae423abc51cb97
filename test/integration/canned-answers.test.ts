/**
 * Canned answers through the HTTP API (inject), on SQLite and PostgreSQL: a team's answers managed by administrators
 * and audited, personal ones by their technician; keys checked at save in every language's spelling, and rendered for
 * a ticket in its requester's language; who may list, render and manage which.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { seedDemo } from '../../src/delivery/cli/seed-demo.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { postgres, sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps, type World } from '../support/fixtures.ts';
import { signIn, testApp, type Client } from '../support/http.ts';

interface Answer {
  id: number;
  name: string;
  groupId: number | null;
  personal: boolean;
  variants: { locale: string; text: string; isDefault: boolean }[];
}

const TEAM_ANSWER = {
  name: 'Printer: restart',
  variants: [
    { locale: 'en-US', text: 'Hello ${REQUESTERNAME}, about ticket ${IDSERVICEREQUEST} (${TICKETTITLE}): restart it.' },
    {
      locale: 'pt-BR',
      text: 'Olá ${NOMECONTATO}, sobre o chamado ${IDSOLICITACAOSERVICO} (${TICKETTITLE}): reinicie-a.\nResponsável: ${REQUESTRESPONSIBLENAME}',
      isDefault: true,
    },
    { locale: 'es-ES', text: 'Hola ${NOMECONTATO}, ticket ${IDSOLICITUDSERVICIO}: reiníciela.' },
  ],
};

for (const database of [sqliteMemory, postgres]) {
  describe(`canned answers through the API, on ${database.name}`, () => {
    let storage: SqlStorage;
    let drop: () => Promise<void>;
    let deps: Deps;
    let world: World;
    let app: FastifyInstance;
    let admin: Client;
    let techA: Client;
    let techB: Client;
    let requesterA: Client;
    let teamAnswer: Answer;
    let ticket: number;

    before(async () => {
      ({ storage, drop } = await database.open());
      deps = testDeps(storage);
      world = await buildWorld(deps);
      app = await testApp(deps);
      admin = await signIn(app, world.admin.email);
      techA = await signIn(app, world.techA.email);
      techB = await signIn(app, world.techB.email);
      requesterA = await signIn(app, world.requesterA.email);
      // A ticket of requester A (pt-BR) in group A whose title and latest message hold markup and a ${KEY}.
      const opened = await requesterA.post('/api/v1/tickets', {
        title: 'Tom & Jerry <printer>',
        description: 'It jams.',
        groupId: world.groupA,
      });
      assert.equal(opened.statusCode, 201, opened.body);
      ticket = opened.json().number;
    });
    after(async () => {
      await app.close();
      await storage.close();
      await drop();
    });

    const auditOf = async (id: number) =>
      (await admin.get(`/api/v1/admin/audit?targetType=canned-answer&targetId=${id}&limit=100`)).json().items as {
        action: string;
        changes: { field: string; before?: unknown; after?: unknown; withheld?: string }[];
      }[];

    it("an administrator saves a team's answer in three languages, audited with each text", async () => {
      const r = await admin.post('/api/v1/admin/canned-answers', { ...TEAM_ANSWER, groupId: world.groupA });
      assert.equal(r.statusCode, 201, r.body);
      teamAnswer = r.json();
      assert.equal(teamAnswer.groupId, world.groupA);
      assert.equal(teamAnswer.personal, false);
      assert.deepEqual(
        teamAnswer.variants.map((v) => [v.locale, v.isDefault]),
        [
          ['pt-BR', true],
          ['en-US', false],
          ['es-ES', false],
        ],
      );
      const [entry] = await auditOf(teamAnswer.id);
      assert.equal(entry!.action, 'canned-answer.create');
      assert.deepEqual(
        entry!.changes.map((c) => c.field),
        ['name', 'groupId', 'defaultLocale', 'text:pt-BR', 'text:en-US', 'text:es-ES'],
      );
      const listed = (await admin.get('/api/v1/admin/canned-answers')).json().items as Answer[];
      assert.deepEqual(
        listed.map((a) => a.id),
        [teamAnswer.id],
      );
    });

    it('an unknown key is refused with the key and the language, and nothing is stored or audited', async () => {
      const before = (await admin.get('/api/v1/admin/audit?targetType=canned-answer&limit=100')).json().items.length;
      const r = await admin.post('/api/v1/admin/canned-answers', {
        name: 'Broken',
        groupId: world.groupA,
        variants: [
          { locale: 'en-US', text: 'Fine ${TICKETTITLE}' },
          { locale: 'es-ES', text: 'Hola ${NOMBRECLIENTE}' },
        ],
      });
      assert.equal(r.statusCode, 422, r.body);
      assert.equal(r.json().code, 'CANNED_ANSWER_UNKNOWN_KEY');
      assert.deepEqual(r.json().details, { locale: 'es-ES', key: 'NOMBRECLIENTE', line: 1, column: 6 });
      const unknownPut = await admin.put(`/api/v1/admin/canned-answers/${teamAnswer.id}`, {
        name: 'Changed',
        variants: [{ locale: 'pt-BR', text: '${NADA}' }],
      });
      assert.equal(unknownPut.statusCode, 422);
      const listed = (await admin.get('/api/v1/admin/canned-answers')).json().items as Answer[];
      assert.deepEqual(listed, [teamAnswer]);
      assert.equal(
        (await admin.get('/api/v1/admin/audit?targetType=canned-answer&limit=100')).json().items.length,
        before,
      );
      const unknownTeam = await admin.post('/api/v1/admin/canned-answers', { ...TEAM_ANSWER, groupId: 999_999 });
      assert.equal(unknownTeam.statusCode, 404);
      assert.equal(unknownTeam.json().code, 'GROUP_NOT_FOUND');
    });

    it("renders for the ticket in the requester's language, values as plain text, a ${KEY} in a value left as it is", async () => {
      const posted = await techA.post(`/api/v1/tickets/${ticket}/messages`, { text: 'Try ${SMTP_PASSWORD} & <b>' });
      assert.equal(posted.statusCode, 201, posted.body);
      const listed = await techA.get(`/api/v1/tickets/${ticket}/canned-answers?search=printer`);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.deepEqual(
        (listed.json().items as Answer[]).map((a) => a.name),
        ['Printer: restart'],
      );
      const r = await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`);
      assert.equal(r.statusCode, 200, r.body);
      assert.deepEqual(r.json(), {
        answerId: teamAnswer.id,
        name: 'Printer: restart',
        locale: 'pt-BR',
        locales: ['pt-BR', 'en-US', 'es-ES'],
        text: `Olá João Muñoz, sobre o chamado ${ticket} (Tom & Jerry <printer>): reinicie-a.\nResponsável: ainda não atribuído`,
      });
      const spanish = await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`, {
        locale: 'es-MX',
      });
      assert.equal(spanish.json().locale, 'es-ES');
      assert.equal(spanish.json().text, `Hola João Muñoz, ticket ${ticket}: reiníciela.`);
      const other = await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`, {
        locale: 'fr-FR',
      });
      assert.equal(other.json().locale, 'pt-BR');
    });

    // threat: A canned answer inserted into the composer: values such as a title `Tom & Jerry <printer>` or a message holding `${SMTP_PASSWORD}` → inserted as the plain text they are, in one pass (never HTML-escaped, never rendered again).
    it('the message text key inserts the latest public message as it was written', async () => {
      const r = await techA.post('/api/v1/me/canned-answers', {
        name: 'Quote',
        variants: [{ locale: 'en', text: 'About ${TICKETTITLE} you wrote: ${COMMENTTEXT}' }],
      });
      assert.equal(r.statusCode, 201, r.body);
      const rendered = await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${r.json().id}/render`);
      assert.equal(rendered.json().text, 'About Tom & Jerry <printer> you wrote: Try ${SMTP_PASSWORD} & <b>');
      assert.equal(rendered.json().locale, 'en');
      assert.equal((await techA.delete(`/api/v1/me/canned-answers/${r.json().id}`)).statusCode, 204);
    });

    // threat: A requester lists or renders canned answers → 403 on every ticket, their own included; a technician never lists, renders, changes or deletes another technician's personal answer, nor uses the answer of a team they are not in (404), and only administrators manage a team's answers (403).
    it('requesters get 403; personal answers are their owner alone; a team answer only for its team', async () => {
      for (const r of [
        await requesterA.get(`/api/v1/tickets/${ticket}/canned-answers`),
        await requesterA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`),
        await requesterA.get('/api/v1/me/canned-answers'),
        await requesterA.post('/api/v1/me/canned-answers', { name: 'x', variants: [{ locale: 'en', text: 'x' }] }),
        await techA.get('/api/v1/admin/canned-answers'),
        await techA.post('/api/v1/admin/canned-answers', { ...TEAM_ANSWER, groupId: world.groupA }),
      ])
        assert.equal(r.statusCode, 403, r.body);

      const created = await techB.post('/api/v1/me/canned-answers', {
        name: 'Bruno only',
        variants: [{ locale: 'pt-BR', text: 'Oi ${NOMECONTATO}' }],
      });
      assert.equal(created.statusCode, 201, created.body);
      const mine: Answer = created.json();
      assert.equal(mine.personal, true);
      assert.deepEqual(
        ((await techB.get('/api/v1/me/canned-answers')).json().items as Answer[]).map((a) => a.id),
        [mine.id],
      );
      // Tech B sees their own on their ticket, and not group A's answer.
      const onB = (await techB.get(`/api/v1/tickets/${world.ticketB.number}/canned-answers`)).json().items as Answer[];
      assert.deepEqual(
        onB.map((a) => a.id),
        [mine.id],
      );
      // The audit names a personal answer's text as changed, never copies it, even for an administrator.
      const [created0] = await auditOf(mine.id);
      const text = created0!.changes.find((c) => c.field === 'text:pt-BR');
      assert.deepEqual(text, { field: 'text:pt-BR', withheld: 'secret' });
      assert.ok(!JSON.stringify(await auditOf(mine.id)).includes('Oi ${NOMECONTATO}'));
      const rendered = await techB.post(`/api/v1/tickets/${world.ticketB.number}/canned-answers/${mine.id}/render`);
      assert.equal(rendered.json().text, 'Oi Rita Requester');

      for (const r of [
        await techB.post(`/api/v1/tickets/${world.ticketB.number}/canned-answers/${teamAnswer.id}/render`),
        await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${mine.id}/render`),
        await admin.post(`/api/v1/tickets/${ticket}/canned-answers/${mine.id}/render`),
        await techA.put(`/api/v1/me/canned-answers/${mine.id}`, {
          name: 'taken',
          variants: [{ locale: 'en', text: 'x' }],
        }),
        await techA.delete(`/api/v1/me/canned-answers/${mine.id}`),
        await admin.put(`/api/v1/admin/canned-answers/${mine.id}`, {
          name: 'taken',
          variants: [{ locale: 'en', text: 'x' }],
        }),
        await admin.delete(`/api/v1/admin/canned-answers/${mine.id}`),
        await techA.delete(`/api/v1/me/canned-answers/${teamAnswer.id}`),
        // Tech B cannot see ticket A at all: the ticket is 404 before any answer is looked at.
        await techB.get(`/api/v1/tickets/${ticket}/canned-answers`),
      ])
        assert.equal(r.statusCode, 404, r.body);
      assert.ok(
        !((await techA.get(`/api/v1/tickets/${ticket}/canned-answers`)).json().items as Answer[]).some(
          (a) => a.id === mine.id,
        ),
      );
      assert.deepEqual(await storage.cannedAnswers.findCannedAnswer(mine.id).then((a) => a?.name), 'Bruno only');
    });

    it("an administrator changes and deletes a team's answer, each audited", async () => {
      const r = await admin.put(`/api/v1/admin/canned-answers/${teamAnswer.id}`, {
        name: 'Printer: restart it',
        variants: [{ locale: 'es-ES', text: 'Hola ${REQUESTERNAME}', isDefault: true }],
      });
      assert.equal(r.statusCode, 200, r.body);
      assert.equal(r.json().groupId, world.groupA);
      const rendered = await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`);
      assert.equal(rendered.json().text, 'Hola João Muñoz');
      assert.equal((await admin.delete(`/api/v1/admin/canned-answers/${teamAnswer.id}`)).statusCode, 204);
      assert.equal(
        (await techA.post(`/api/v1/tickets/${ticket}/canned-answers/${teamAnswer.id}/render`)).statusCode,
        404,
      );
      const actions = (await auditOf(teamAnswer.id)).map((e) => e.action);
      assert.deepEqual(actions, ['canned-answer.delete', 'canned-answer.update', 'canned-answer.create']);
      const update = (await auditOf(teamAnswer.id))[1]!;
      assert.deepEqual(
        update.changes.map((c) => c.field),
        ['name', 'defaultLocale', 'text:pt-BR', 'text:en-US', 'text:es-ES'],
      );
    });

    it("a former technician's own answers go when their personal data is erased", async () => {
      const email = 'former.tech@example.test';
      const { id } = await createUser(deps, CLI_ORIGIN, {
        role: 'technician',
        email,
        name: 'Fiona Former',
        password: TEST_PASSWORD,
      });
      const fiona = await signIn(app, email);
      const created = await fiona.post('/api/v1/me/canned-answers', {
        name: 'Fiona signs',
        variants: [{ locale: 'en', text: 'Regards, Fiona Former' }],
      });
      assert.equal(created.statusCode, 201, created.body);
      assert.equal((await admin.patch(`/api/v1/admin/users/${id}`, { role: 'requester' })).statusCode, 200);
      const erased = await admin.post(`/api/v1/admin/users/${id}/erase`, { confirmEmail: email });
      assert.equal(erased.statusCode, 200, erased.body);
      assert.equal(await storage.cannedAnswers.findCannedAnswer(created.json().id), undefined);
      assert.deepEqual(await storage.cannedAnswers.listCannedAnswers({ ownerId: id }), []);
    });

    it("the demo's team answers, in Portuguese for João's ticket, and Taylor's own not offered to Beatriz", async () => {
      const demo = await seedDemo(deps, { smtpPort: 2525 });
      const beatriz = demo.accounts.find((a) => a.email === 'tecnica@parley.test')!;
      const client = await signIn(app, beatriz.email, beatriz.password);
      const queue = await client.get('/api/v1/tickets?search=financeiro');
      const number = (queue.json().items as { number: number }[])[0]!.number;
      const answers = (await client.get(`/api/v1/tickets/${number}/canned-answers`)).json().items as Answer[];
      assert.deepEqual(
        answers.map((a) => a.name),
        ['Need more information', 'Password reset'],
      );
      const reset = await client.post(`/api/v1/tickets/${number}/canned-answers/${answers[1]!.id}/render`);
      assert.equal(reset.json().locale, 'pt-BR');
      assert.equal(
        reset.json().text,
        `Olá João Muñoz,\n\nSua senha foi redefinida. No próximo acesso você escolherá uma nova.\n\nTicket ${number}`,
      );
    });
  });
}
