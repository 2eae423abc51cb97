/**
 * The storage contract of canned answers, run against every real database Parley supports (SQLite in memory, SQLite
 * on disk with WAL, PostgreSQL): an answer and its language variants written and replaced together, listed by owner
 * and team, removed with their variants.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import type { CannedAnswerRow } from '../../src/domain/canned-answers/canned-answer.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import type { World } from '../support/fixtures.ts';
import { AT, useWorld } from './contract-support.ts';

const LATER = '2026-03-15T08:00:00.000Z';

for (const database of ALL_DATABASES) {
  describe(`storage contract, canned answers, on ${database.name}`, () => {
    let storage: SqlStorage;
    let world: World;
    useWorld(database, (s, w) => {
      storage = s;
      world = w;
    });

    const team = (name: string, groupId: number): CannedAnswerRow => ({
      name,
      scope: { kind: 'team', groupId },
      variants: [
        { locale: 'pt-BR', text: 'Olá ${NOMECONTATO}, chamado ${IDSOLICITACAOSERVICO}.', isDefault: true },
        { locale: 'en-US', text: 'Hello ${REQUESTERNAME}.', isDefault: false },
      ],
    });

    it('keeps an answer with its variants as written, the default first', async () => {
      const written = await storage.cannedAnswers.createCannedAnswer(team('Printer', world.groupA), AT);
      assert.ok(written.id > 0);
      const found = await storage.cannedAnswers.findCannedAnswer(written.id);
      assert.deepEqual(found, {
        id: written.id,
        name: 'Printer',
        scope: { kind: 'team', groupId: world.groupA },
        variants: [
          { locale: 'pt-BR', text: 'Olá ${NOMECONTATO}, chamado ${IDSOLICITACAOSERVICO}.', isDefault: true },
          { locale: 'en-US', text: 'Hello ${REQUESTERNAME}.', isDefault: false },
        ],
        createdAt: AT,
        updatedAt: AT,
      });
      assert.deepEqual(written, found);
    });

    it('lists by owner and by team, sorted by name the same way on every database', async () => {
      await storage.cannedAnswers.createCannedAnswer(team('zebra', world.groupB), AT);
      await storage.cannedAnswers.createCannedAnswer(team('Ábaco', world.groupB), AT);
      const mine = await storage.cannedAnswers.createCannedAnswer(
        {
          name: 'mine',
          scope: { kind: 'personal', ownerId: world.techA.id },
          variants: [{ locale: 'es', text: 'Hola', isDefault: true }],
        },
        AT,
      );
      const names = async (filter: Parameters<SqlStorage['cannedAnswers']['listCannedAnswers']>[0]) =>
        (await storage.cannedAnswers.listCannedAnswers(filter)).map((a) => a.name);
      assert.deepEqual(await names({ groupIds: [world.groupB] }), ['Ábaco', 'zebra']);
      assert.deepEqual(await names({ groupIds: 'all' }), ['Ábaco', 'Printer', 'zebra']);
      assert.deepEqual(await names({ ownerId: world.techA.id, groupIds: [world.groupA] }), ['mine', 'Printer']);
      assert.deepEqual(await names({ ownerId: world.techB.id }), []);
      assert.deepEqual(await names({}), []);
      assert.deepEqual(await names({ groupIds: [] }), []);
      const listed = (await storage.cannedAnswers.listCannedAnswers({ ownerId: world.techA.id }))[0]!;
      assert.deepEqual(listed, mine);
    });

    it('replaces the name and every variant in one write; the scope stays', async () => {
      const answer = await storage.cannedAnswers.createCannedAnswer(team('Before', world.groupA), AT);
      const saved = await storage.cannedAnswers.updateCannedAnswer(
        answer.id,
        { name: 'After', variants: [{ locale: 'es-ES', text: 'Hola ${REQUESTERNAME}', isDefault: true }] },
        LATER,
      );
      assert.deepEqual(saved, {
        ...answer,
        name: 'After',
        variants: [{ locale: 'es-ES', text: 'Hola ${REQUESTERNAME}', isDefault: true }],
        updatedAt: LATER,
      });
      assert.equal(
        await storage.cannedAnswers.updateCannedAnswer(999_999, { name: 'x', variants: [] }, LATER),
        undefined,
      );
    });

    it('a failed write leaves the answer as it was, variants included', async () => {
      const answer = await storage.cannedAnswers.createCannedAnswer(team('Kept', world.groupA), AT);
      await assert.rejects(
        storage.cannedAnswers.updateCannedAnswer(
          answer.id,
          {
            name: 'Broken',
            variants: [
              { locale: 'en', text: 'one', isDefault: true },
              { locale: 'en', text: 'the same language twice breaks the key', isDefault: false },
            ],
          },
          LATER,
        ),
      );
      assert.deepEqual(await storage.cannedAnswers.findCannedAnswer(answer.id), answer);
      await assert.rejects(
        storage.transaction(async (tx) => {
          await tx.cannedAnswers.deleteCannedAnswer(answer.id);
          throw new Error('rolled back');
        }),
      );
      assert.deepEqual(await storage.cannedAnswers.findCannedAnswer(answer.id), answer);
    });

    it('deletes an answer with its variants', async () => {
      const answer = await storage.cannedAnswers.createCannedAnswer(team('Gone', world.groupA), AT);
      assert.equal(await storage.cannedAnswers.deleteCannedAnswer(answer.id), true);
      assert.equal(await storage.cannedAnswers.findCannedAnswer(answer.id), undefined);
      assert.equal(await storage.cannedAnswers.deleteCannedAnswer(answer.id), false);
    });

    it("deletes one person's answers, and no one else's", async () => {
      const own = (ownerId: number, name: string): CannedAnswerRow => ({
        name,
        scope: { kind: 'personal', ownerId },
        variants: [{ locale: 'en', text: name, isDefault: true }],
      });
      await storage.cannedAnswers.createCannedAnswer(own(world.techB.id, 'B one'), AT);
      await storage.cannedAnswers.createCannedAnswer(own(world.techB.id, 'B two'), AT);
      const kept = await storage.cannedAnswers.createCannedAnswer(own(world.admin.id, 'Admin'), AT);
      const teams = await storage.cannedAnswers.listCannedAnswers({ groupIds: 'all' });
      assert.equal(await storage.cannedAnswers.deleteCannedAnswersOf(world.techB.id), 2);
      assert.deepEqual(await storage.cannedAnswers.listCannedAnswers({ ownerId: world.techB.id }), []);
      assert.deepEqual(await storage.cannedAnswers.listCannedAnswers({ ownerId: world.admin.id }), [kept]);
      assert.deepEqual(await storage.cannedAnswers.listCannedAnswers({ groupIds: 'all' }), teams);
    });

    it("a team's answers go with the team", async () => {
      const group = await storage.people.createGroup('Short-lived team');
      const answer = await storage.cannedAnswers.createCannedAnswer(team('With the team', group.id), AT);
      assert.equal(await storage.people.deleteGroup(group.id), true);
      assert.equal(await storage.cannedAnswers.findCannedAnswer(answer.id), undefined);
      assert.deepEqual(await storage.cannedAnswers.listCannedAnswers({ groupIds: [group.id] }), []);
    });
  });
}
