/**
 * The storage contract of the sign-in limiter's counts, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL): counting, forgetting, taking back, pruning, and counting
 * from many connections at once.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { openStorage } from '../../src/adapters/storage/open-storage.ts';

const at = (minute: number) => new Date(Date.UTC(2026, 2, 14, 15, minute)).toISOString();

for (const database of ALL_DATABASES) {
  describe(`storage contract, sign-in failures, on ${database.name}`, () => {
    let storage: SqlStorage;
    let url: string;
    let drop: () => Promise<void>;
    before(async () => ({ storage, url, drop } = await database.open()));
    after(async () => {
      await storage.close();
      await drop();
    });
    const repo = () => storage.signInFailures;

    it('counts a failure under each key in one call, and reads back the current ones', async () => {
      await repo().addSignInFailure(['c:a', 'c:b'], at(1), at(0));
      await repo().addSignInFailure(['c:a'], at(2), at(0));
      assert.deepEqual(await repo().readSignInFailures(['c:a', 'c:b', 'c:none'], at(0)), [
        { key: 'c:a', failures: 2, lastAt: at(2) },
        { key: 'c:b', failures: 1, lastAt: at(1) },
      ]);
      assert.deepEqual(await repo().readSignInFailures([], at(0)), []);
    });

    it('leaves out failures whose last one is not after `since`, and counts them again from one', async () => {
      await repo().addSignInFailure(['f:a'], at(1), at(0));
      await repo().addSignInFailure(['f:a'], at(2), at(0));
      assert.deepEqual(await repo().readSignInFailures(['f:a'], at(2)), [], 'the last failure is at since: forgotten');
      await repo().addSignInFailure(['f:a'], at(10), at(2));
      assert.deepEqual(await repo().readSignInFailures(['f:a'], at(2)), [{ key: 'f:a', failures: 1, lastAt: at(10) }]);
    });

    it('takes one failure back, removes a key left with none, and forgets other keys entirely', async () => {
      await repo().addSignInFailure(['t:account', 't:email', 't:address'], at(1), at(0));
      await repo().addSignInFailure(['t:account', 't:address'], at(2), at(0));
      await repo().takeBackSignInFailure(['t:account'], ['t:email', 't:address']);
      assert.deepEqual(await repo().readSignInFailures(['t:account', 't:email', 't:address'], at(0)), [
        { key: 't:address', failures: 1, lastAt: at(2) },
      ]);
    });

    it('a refused attempt leaves no key behind, and what a hold makes never outranks a key that counts', async () => {
      await repo().addSignInFailure(['r:real'], at(5), at(0));
      const before = await repo().countSignInFailureKeys();
      await storage.transaction(async (tx) => {
        const held = await tx.signInFailures.holdSignInFailures(['r:made-up-1', 'r:made-up-2', 'r:real'], at(6), at(0));
        assert.deepEqual(
          held.map((f) => f.key),
          ['r:real'],
        );
        await tx.signInFailures.dropEmptySignInKeys(['r:made-up-1', 'r:made-up-2', 'r:real']);
      });
      assert.equal(
        await repo().countSignInFailureKeys(),
        before,
        'refused: the held keys are gone, the real one stays',
      );
      // Held and never dropped (a crash between the two): pruning to the newest keys still keeps the real one.
      await storage.transaction((tx) => tx.signInFailures.holdSignInFailures(['r:left-1', 'r:left-2'], at(7), at(0)));
      await repo().pruneSignInFailures(at(0), 1_000_000);
      assert.deepEqual(await repo().readSignInFailures(['r:real', 'r:left-1', 'r:left-2'], at(0)), [
        { key: 'r:real', failures: 1, lastAt: at(5) },
      ]);
    });

    it("forgets every key naming an erased person's address, and no other", async () => {
      await repo().addSignInFailure(
        ['e:gone@example.test', 'a:192.0.2.1:gone@example.test', 'i:192.0.2.1'],
        at(1),
        at(0),
      );
      await repo().addSignInFailure(['e:stays@example.test', 'a:192.0.2.1:agone@example.test'], at(1), at(0));
      await repo().forgetSignInFailuresOf('gone@example.test');
      assert.deepEqual(
        (
          await repo().readSignInFailures(
            [
              'e:gone@example.test',
              'a:192.0.2.1:gone@example.test',
              'i:192.0.2.1',
              'e:stays@example.test',
              'a:192.0.2.1:agone@example.test',
            ],
            at(0),
          )
        ).map((f) => f.key),
        ['a:192.0.2.1:agone@example.test', 'e:stays@example.test', 'i:192.0.2.1'],
      );
    });

    it('holds keys in a transaction: the counts read there are the ones the count adds to', async () => {
      const failures = await storage.transaction(async (tx) => {
        const held = await tx.signInFailures.holdSignInFailures(['h:a', 'h:b'], at(1), at(0));
        await tx.signInFailures.addSignInFailure(['h:a', 'h:b'], at(1), at(0));
        return held.reduce((n, f) => n + f.failures, 0);
      });
      assert.equal(failures, 0, 'nothing was counted before');
      assert.deepEqual(
        (await repo().readSignInFailures(['h:a', 'h:b'], at(0))).map((f) => f.failures),
        [1, 1],
      );
    });

    it('counts exactly when many transactions count and hold the same keys at once', async () => {
      await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          storage.transaction(async (tx) => {
            await tx.signInFailures.holdSignInFailures(['p:shared', `p:own${i}`], at(1), at(0));
            await tx.signInFailures.addSignInFailure(['p:shared', `p:own${i}`], at(1), at(0));
          }),
        ),
      );
      assert.deepEqual(await repo().readSignInFailures(['p:shared'], at(0)), [
        { key: 'p:shared', failures: 20, lastAt: at(1) },
      ]);
    });

    if (database.name !== 'sqlite-memory')
      it('counts exactly when two openers of the database count the same key at once', async () => {
        const other = openStorage(url);
        try {
          await Promise.all(
            Array.from({ length: 20 }, (_, i) =>
              (i % 2 ? other : storage).signInFailures.addSignInFailure(['two:shared'], at(1), at(0)),
            ),
          );
          assert.deepEqual(
            (await other.signInFailures.readSignInFailures(['two:shared'], at(0))).map((f) => f.failures),
            [20],
          );
        } finally {
          await other.close();
        }
      });

    it('prunes what is not current, then the oldest keys beyond the number kept', async () => {
      const before = await repo().countSignInFailureKeys();
      await repo().pruneSignInFailures(at(59), 1_000_000);
      assert.equal(await repo().countSignInFailureKeys(), 0, `the ${before} earlier keys were all old`);
      for (let i = 0; i < 5; i++) await repo().addSignInFailure([`o:${i}a`, `o:${i}b`], at(60 + i), at(0));
      assert.equal(await repo().pruneSignInFailures(at(60), 3), 2 + 5, 'minute 60 was not current; 3 of 8 kept');
      assert.equal(await repo().countSignInFailureKeys(), 3);
      assert.deepEqual(
        (await repo().readSignInFailures(['o:2b', 'o:3a', 'o:3b', 'o:4a', 'o:4b'], at(0))).map((f) => f.key),
        ['o:3b', 'o:4a', 'o:4b'],
      );
      assert.equal(await repo().pruneSignInFailures(at(0), 10), 0, 'nothing beyond the number kept');
    });
  });
}
