/**
 * The storage contract of users and groups, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, users and groups, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('stores users and finds them by id and email; timestamps and booleans round-trip', async () => {
      const user = await storage.people.createUser(newUser('first@example.test', 'technician'), AT);
      assert.equal(user.createdAt, AT);
      assert.equal(user.active, true);
      assert.deepEqual(await storage.people.findUserById(user.id), user);
      const byEmail = await storage.people.findUserByEmail('first@example.test');
      assert.equal(byEmail?.id, user.id);
      assert.equal(byEmail?.passwordHash, null);
      assert.equal(await storage.people.findUserById(999_999), undefined);
    });

    it('refuses a second user with the same email', async () => {
      await storage.people.createUser(newUser('dup@example.test'), AT);
      await assert.rejects(storage.people.createUser(newUser('dup@example.test'), AT));
    });

    it('pages users with an opaque cursor', async () => {
      for (let i = 0; i < 5; i++) await storage.people.createUser(newUser(`page${i}@example.test`), AT);
      const seen: number[] = [];
      let cursor: string | null = null;
      do {
        const page = await storage.people.listUsers({ cursor, limit: 2 });
        assert.ok(page.items.length <= 2);
        seen.push(...page.items.map((u) => u.id));
        cursor = page.nextCursor;
      } while (cursor);
      assert.equal(seen.length, await storage.people.countUsers());
      assert.deepEqual(
        seen,
        [...seen].sort((a, b) => a - b),
      );
    });

    it('keeps groups and their members; staffOfGroup lists only technicians and admins', async () => {
      const group = await storage.people.createGroup('Contract group');
      const tech = await storage.people.createUser(newUser('g.tech@example.test', 'technician'), AT);
      const req = await storage.people.createUser(newUser('g.req@example.test'), AT);
      await storage.people.addGroupMember(group.id, tech.id);
      await storage.people.addGroupMember(group.id, req.id);
      await storage.people.addGroupMember(group.id, tech.id); // twice: no error, no duplicate
      assert.deepEqual(
        (await storage.people.findGroup(group.id))?.memberIds,
        [tech.id, req.id].sort((a, b) => a - b),
      );
      assert.deepEqual(
        (await storage.people.staffOfGroup(group.id)).map((u) => u.id),
        [tech.id],
      );
      assert.deepEqual(await storage.people.groupIdsOfUser(tech.id), [group.id]);
      assert.equal((await storage.people.findGroupByName('Contract group'))?.id, group.id);
      await assert.rejects(storage.people.createGroup('Contract group'));
    });

    it('edits users and groups: fields, memberships, renames, deletes; lists the staff a ticket can go to', async () => {
      const one = await storage.people.createGroup('Edit one');
      const two = await storage.people.createGroup('Edit two');
      const tech = await storage.people.createUser(newUser('e.tech@example.test', 'technician'), AT);
      const changed = await storage.people.updateUser(tech.id, {
        name: 'Edna Técnica',
        locale: 'es-ES',
        timeZone: 'Europe/Madrid',
        active: false,
      });
      assert.equal(changed?.name, 'Edna Técnica');
      assert.equal(changed?.locale, 'es-ES');
      assert.equal(changed?.timeZone, 'Europe/Madrid');
      assert.equal(changed?.active, false);
      assert.equal(await storage.people.updateUser(9_999_999, { name: 'nobody' }), undefined);
      assert.ok(
        !(await storage.people.listStaff()).some((u) => u.id === tech.id),
        'an inactive technician is nobody to assign to',
      );
      await storage.people.updateUser(tech.id, { active: true });

      await storage.people.setUserGroups(tech.id, [one.id, two.id]);
      assert.deepEqual(
        await storage.people.groupIdsOfUser(tech.id),
        [one.id, two.id].sort((a, b) => a - b),
      );
      await storage.people.setUserGroups(tech.id, [two.id]);
      assert.deepEqual(await storage.people.groupIdsOfUser(tech.id), [two.id]);
      await storage.people.removeGroupMember(two.id, tech.id);
      assert.deepEqual(await storage.people.groupIdsOfUser(tech.id), []);
      await storage.people.addGroupMember(two.id, tech.id);
      const staff = (await storage.people.listStaff()).find((u) => u.id === tech.id);
      assert.deepEqual(staff?.groupIds, [two.id]);

      assert.equal((await storage.people.renameGroup(one.id, 'Edit one, renamed'))?.name, 'Edit one, renamed');
      await assert.rejects(storage.people.renameGroup(one.id, 'Edit two'), 'group names stay unique');
      assert.equal(await storage.tickets.countTicketsOfGroup(two.id), 0);
      assert.equal(await storage.people.deleteGroup(two.id), true);
      assert.deepEqual(await storage.people.groupIdsOfUser(tech.id), [], 'its memberships go with it');
      assert.equal(await storage.people.deleteGroup(two.id), false);
    });

    it("keeps a person's and a group's signature, reads both in one call, and removes them with null", async () => {
      const group = await storage.people.createGroup('Signed group');
      assert.equal(group.signature, null);
      const tech = await storage.people.createUser(newUser('s.tech@example.test', 'technician'), AT);
      assert.equal(await storage.people.userSignature(tech.id), null);
      assert.equal(await storage.people.userSignature(9_999_999), undefined);
      assert.deepEqual(await storage.people.signaturesFor(tech.id, group.id), { user: null, group: null });

      const text = 'Édna Técnica\nService desk · ${IDSERVICEREQUEST}';
      assert.equal(await storage.people.setUserSignature(tech.id, text), true);
      assert.equal(await storage.people.setUserSignature(9_999_999, text), false);
      assert.equal(await storage.people.userSignature(tech.id), text);
      assert.equal((await storage.people.findActor({ userId: tech.id }))?.user.signature, text, 'read with the actor');
      const signed = await storage.people.setGroupSignature(group.id, 'The team\n${TICKETSTATUS}');
      assert.equal(signed?.signature, 'The team\n${TICKETSTATUS}');
      assert.equal(signed?.name, 'Signed group');
      assert.equal((await storage.people.findGroup(group.id))?.signature, 'The team\n${TICKETSTATUS}');
      assert.equal((await storage.people.listGroups()).find((g) => g.id === group.id)?.signature, signed?.signature);
      assert.equal(await storage.people.setGroupSignature(9_999_999, 'x'), undefined);

      assert.deepEqual(await storage.people.signaturesFor(tech.id, group.id), {
        user: text,
        group: 'The team\n${TICKETSTATUS}',
      });
      assert.deepEqual(await storage.people.signaturesFor(null, group.id), {
        user: null,
        group: 'The team\n${TICKETSTATUS}',
      });
      assert.deepEqual(await storage.people.signaturesFor(tech.id, null), { user: text, group: null });
      assert.deepEqual(await storage.people.signaturesFor(9_999_999, 9_999_999), { user: null, group: null });

      await storage.people.setUserSignature(tech.id, null);
      await storage.people.setGroupSignature(group.id, null);
      assert.deepEqual(await storage.people.signaturesFor(tech.id, group.id), { user: null, group: null });
      assert.equal(await storage.people.userSignature(tech.id), null);
    });
  });
}
