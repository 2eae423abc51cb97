/**
 * The storage contract of sessions and API tokens, run against every real database Parley supports
 * (SQLite in memory, SQLite on disk with WAL, PostgreSQL).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { ALL_DATABASES } from '../support/databases.ts';
import { AT, newUser, useDatabase } from './contract-support.ts';

for (const database of ALL_DATABASES) {
  describe(`storage contract, sessions and API tokens, on ${database.name}`, () => {
    let storage: SqlStorage;
    useDatabase(database, (opened) => (storage = opened));

    it('keeps only digests of sessions and API tokens, and forgets expired sessions', async () => {
      const user = await storage.people.createUser(newUser('session@example.test'), AT);
      await storage.sessions.createSession(
        'digest-1',
        { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-15T00:00:00.000Z' },
        AT,
      );
      await storage.sessions.createSession(
        'digest-2',
        { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
        AT,
      );
      assert.deepEqual(await storage.sessions.findSession('digest-1'), {
        userId: user.id,
        csrfHash: 'c',
        expiresAt: '2026-03-15T00:00:00.000Z',
      });
      assert.equal(await storage.sessions.deleteExpiredSessions('2026-03-16T00:00:00.000Z'), 1);
      assert.equal(await storage.sessions.findSession('digest-1'), undefined);
      await storage.sessions.deleteSession('digest-2');
      assert.equal(await storage.sessions.findSession('digest-2'), undefined);
      await storage.sessions.createApiToken(
        'token-digest',
        { userId: user.id, name: 'cli', scope: 'full', expiresAt: null },
        AT,
      );
      assert.equal(await storage.sessions.findApiTokenUser('token-digest'), user.id);
      assert.equal(await storage.sessions.findApiTokenUser('other'), undefined);
    });

    it('API tokens carry name, scope, expiry and last use; they are listed, revoked one by one or all of a user, and sessions end per user', async () => {
      const user = await storage.people.createUser(newUser('tokens@example.test'), AT);
      const other = await storage.people.createUser(newUser('tokens.other@example.test'), AT);
      const readId = await storage.sessions.createApiToken(
        't-read',
        { userId: user.id, name: 'Reports', scope: 'read', expiresAt: '2026-04-01T00:00:00.000Z' },
        AT,
      );
      const fullId = await storage.sessions.createApiToken(
        't-full',
        { userId: user.id, name: 'Deploy', scope: 'full', expiresAt: null },
        AT,
      );
      await storage.sessions.createApiToken(
        't-other',
        { userId: other.id, name: 'Other', scope: 'full', expiresAt: null },
        AT,
      );
      const found = await storage.people.findActor({ tokenHash: 't-read' });
      assert.equal(found?.user.id, user.id);
      assert.deepEqual(found?.token, {
        id: readId,
        userId: user.id,
        name: 'Reports',
        scope: 'read',
        createdAt: AT,
        expiresAt: '2026-04-01T00:00:00.000Z',
        lastUsedAt: null,
      });
      assert.deepEqual(
        (await storage.sessions.listApiTokens(user.id)).map((t) => [t.id, t.name, t.scope]),
        [
          [fullId, 'Deploy', 'full'],
          [readId, 'Reports', 'read'],
        ],
      );

      // Last use: written once, then not again before `notBefore` has passed it.
      await storage.sessions.touchApiToken(readId, '2026-03-14T16:00:00.000Z', '2026-03-14T15:59:00.000Z');
      await storage.sessions.touchApiToken(readId, '2026-03-14T16:00:30.000Z', '2026-03-14T15:59:30.000Z');
      assert.equal(
        (await storage.sessions.listApiTokens(user.id)).find((t) => t.id === readId)?.lastUsedAt,
        '2026-03-14T16:00:00.000Z',
      );
      await storage.sessions.touchApiToken(readId, '2026-03-14T16:01:00.000Z', '2026-03-14T16:00:00.000Z');
      assert.equal(
        (await storage.sessions.listApiTokens(user.id)).find((t) => t.id === readId)?.lastUsedAt,
        '2026-03-14T16:01:00.000Z',
      );

      assert.equal(await storage.sessions.deleteApiToken(other.id, readId), false, 'another user cannot revoke it');
      assert.equal(await storage.sessions.deleteApiToken(user.id, readId), true);
      assert.equal(await storage.people.findActor({ tokenHash: 't-read' }), undefined);
      assert.equal(await storage.sessions.deleteApiTokensOfUser(user.id), 1);
      assert.deepEqual(await storage.sessions.listApiTokens(user.id), []);
      assert.equal((await storage.sessions.listApiTokens(other.id)).length, 1, "the other user's token stays");

      for (const digest of ['s-1', 's-2', 's-3'])
        await storage.sessions.createSession(
          digest,
          { userId: user.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
          AT,
        );
      await storage.sessions.createSession(
        's-other',
        { userId: other.id, csrfHash: 'c', expiresAt: '2026-03-20T00:00:00.000Z' },
        AT,
      );
      assert.equal(await storage.sessions.deleteSessionsOfUser(user.id, 's-2'), 2);
      assert.ok(await storage.sessions.findSession('s-2'));
      assert.equal(await storage.sessions.findSession('s-1'), undefined);
      assert.ok(await storage.sessions.findSession('s-other'));
      assert.equal(await storage.sessions.deleteSessionsOfUser(user.id, null), 1);
      assert.equal(await storage.sessions.findSession('s-2'), undefined);
    });
  });
}
