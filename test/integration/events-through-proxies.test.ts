/**
 * `GET /api/v1/events` through buffering proxies: the response says not to buffer, keep or rewrite it
 * (`X-Accel-Buffering: no`, `Cache-Control: no-store, no-transform`), and a comment line arrives every
 * `eventsHeartbeatMs` (shortened here) so an idle stream stays open. Over real HTTP; no speed is asserted.
 */
import assert from 'node:assert/strict';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, testDeps } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';

describe('live updates through a buffering proxy', () => {
  let storage: SqlStorage;
  let app: FastifyInstance;
  let token: string;

  before(async () => {
    storage = (await sqliteMemory.open()).storage;
    const deps = testDeps(storage);
    await buildWorld(deps);
    app = await buildApp(deps, { eventsHeartbeatMs: 20 });
    await app.listen({ host: '127.0.0.1', port: 0 });
    ({ token } = await createApiToken(deps, CLI_ORIGIN, 'tech.a@example.test'));
  });
  after(async () => {
    await app.close();
    await storage.close();
  });

  it('answers with headers that keep proxies from buffering or changing the stream, and sends heartbeats', async () => {
    const { port } = app.server.address() as { port: number };
    let text = '';
    const response = await new Promise<IncomingMessage>((resolve, reject) => {
      const req = httpRequest(
        { host: '127.0.0.1', port, path: '/api/v1/events', headers: { authorization: `Bearer ${token}` } },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
    response.setEncoding('utf8').on('data', (chunk: string) => (text += chunk));
    response.on('error', () => {});
    try {
      assert.equal(response.statusCode, 200);
      assert.equal(response.headers['content-type'], 'text/event-stream; charset=utf-8');
      assert.equal(response.headers['x-accel-buffering'], 'no');
      const cacheControl = String(response.headers['cache-control']).split(/,\s*/);
      assert.ok(cacheControl.includes('no-transform'), `cache-control: ${cacheControl.join(', ')}`);
      assert.ok(cacheControl.includes('no-store'), `cache-control: ${cacheControl.join(', ')}`);
      assert.equal(response.headers['content-encoding'], undefined, 'never compressed');
      await waitUntil(() => text.split(': keep-alive\n\n').length > 3, 'three heartbeats');
      assert.ok(text.startsWith('retry: 3000\nevent: ready\ndata: {}\n\n'), text.slice(0, 80));
    } finally {
      response.destroy();
    }
  });
});
