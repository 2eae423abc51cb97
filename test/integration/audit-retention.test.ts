/**
 * The audit log is kept as long as parameter 9017 says (365 days by default): the pruner `parley serve` runs removes
 * what is older, measured on the injected clock.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { createGroup } from '../../src/domain/users/create-group.ts';
import { AuditPruner } from '../../src/delivery/workers/audit-pruner.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TestClock, testDeps } from '../support/fixtures.ts';

const DAY = 86_400_000;
const quiet = { info() {}, error() {} };

describe('audit log retention', () => {
  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it('keeps entries 365 days by default, then as many days as parameter 9017 says; the pruner removes the older ones', async () => {
    const { storage } = await sqliteMemory.open();
    try {
      const clock = new TestClock();
      const deps = testDeps(storage, clock);
      const world = await buildWorld(deps);
      const pruner = new AuditPruner(deps, { everyMs: 3_600_000, log: quiet });
      const ats = async () => (await storage.audit.listAudit({}, { limit: 500 })).items.map((e) => e.at);
      const made = (await ats()).length;
      assert.ok(made > 0, 'building the world left entries');

      clock.advance(200 * DAY);
      await createGroup(deps, CLI_ORIGIN, { name: 'Day 200' });
      clock.advance(165 * DAY - 1000); // just under a year after the first entries: all kept
      await pruner.prune();
      assert.equal((await ats()).length, made + 1);

      clock.advance(2000); // a year and a second: the first entries go, the one of day 200 stays
      await pruner.prune();
      assert.deepEqual(await ats(), [new Date(Date.parse('2026-03-14T15:09:26.000Z') + 200 * DAY).toISOString()]);

      await setParameter(deps, CLI_ORIGIN, world.admin, PARAM.AUDIT_RETENTION_DAYS, 30);
      assert.equal((await ats()).length, 2, 'the change of 9017 is itself recorded');
      clock.advance(31 * DAY);
      await pruner.prune();
      assert.deepEqual(await ats(), []);
    } finally {
      await storage.close();
    }
  });
});
