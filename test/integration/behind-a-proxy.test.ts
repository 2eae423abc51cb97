/**
 * Behind a reverse proxy (PARLEY_TRUSTED_PROXIES): the client address comes from X-Forwarded-For only when the
 * connection comes from a trusted proxy, walked from the right past trusted hops; the sign-in limiter keys by that
 * address, cookies are Secure when a trusted proxy says https, the request log names client and proxy hop, and the
 * audit log records the client's address.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import pino from 'pino';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp, type AppOptions } from '../../src/delivery/http/build-app.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';

let storage: SqlStorage;
let deps: Deps;
let world: World;
const apps: FastifyInstance[] = [];

before(async () => {
  storage = (await sqliteMemory.open()).storage;
  // A site on plain http: only a trusted proxy's X-Forwarded-Proto can make cookies Secure.
  deps = { ...testDeps(storage), site: { publicUrl: 'http://desk.example.test', mailDomain: 'desk.example.test' } };
  world = await buildWorld(deps);
});
after(async () => {
  await Promise.all(apps.map((a) => a.close()));
  await storage.close();
});

/** An app with a route answering what it believes of the request. */
async function app(options: AppOptions = {}): Promise<FastifyInstance> {
  const built = await buildApp(deps, options);
  built.get('/test/seen', async (request) => ({ ip: request.ip, protocol: request.protocol }));
  apps.push(built);
  return built;
}

const seen = async (a: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
  (await a.inject({ method: 'GET', url: '/test/seen', remoteAddress, headers })).json() as {
    ip: string;
    protocol: string;
  };

const login = (a: FastifyInstance, remoteAddress: string, email: string, password: string, forwarded?: string) =>
  a.inject({
    method: 'POST',
    url: '/api/v1/auth/login',
    remoteAddress,
    payload: { email, password },
    headers: forwarded ? { 'x-forwarded-for': forwarded } : {},
  });

describe('the client address behind a proxy', () => {
  it('without PARLEY_TRUSTED_PROXIES, X-Forwarded-For and X-Forwarded-Proto change nothing', async () => {
    const a = await app();
    const headers = { 'x-forwarded-for': '198.51.100.1', 'x-forwarded-proto': 'https' };
    assert.deepEqual(await seen(a, '10.0.0.2', headers), { ip: '10.0.0.2', protocol: 'http' });
  });

  it('believes X-Forwarded-For from a trusted proxy only, walking from the right past trusted hops', async () => {
    const a = await app({ trustedProxies: ['10.0.0.0/8', '192.0.2.10'] });
    const from = async (remote: string, forwarded: string) =>
      (await seen(a, remote, { 'x-forwarded-for': forwarded })).ip;
    assert.equal(await from('10.0.0.2', '198.51.100.1'), '198.51.100.1', 'a proxy in the range');
    assert.equal(await from('192.0.2.10', '198.51.100.1'), '198.51.100.1', 'a proxy by its address');
    assert.equal(await from('192.0.2.11', '198.51.100.1'), '192.0.2.11', 'the next address is not trusted');
    assert.equal(await from('203.0.113.9', '10.0.0.7'), '203.0.113.9', 'a client cannot name itself a proxy');
    assert.equal(await from('10.0.0.2', '198.51.100.1, 10.9.9.9'), '198.51.100.1', 'two trusted hops');
    assert.equal(
      await from('10.0.0.2', '10.1.1.1, 198.51.100.66, 198.51.100.1'),
      '198.51.100.1',
      'what the client put in front is never reached',
    );
    assert.equal(await from('::ffff:10.0.0.2', '198.51.100.1'), '198.51.100.1', 'IPv4-mapped IPv6 connection');
    assert.equal(await from('10.0.0.2', '198.51.100.2, 203.0.113.3'), '203.0.113.3', 'stops at the first untrusted');
  });

  it('reads entries with a port or brackets as their address, and never takes one that is no address', async () => {
    const a = await app({ trustedProxies: ['10.0.0.0/8'] });
    const from = async (remote: string, forwarded: string) =>
      (await seen(a, remote, { 'x-forwarded-for': forwarded })).ip;
    assert.equal(await from('10.0.0.2', '198.51.100.1:5555'), '198.51.100.1', 'a port after an IPv4 address');
    assert.equal(await from('10.0.0.2', '[2001:db8::1]:443'), '2001:db8::1', 'a bracketed IPv6 address and port');
    assert.equal(await from('10.0.0.2', '[2001:db8::2]'), '2001:db8::2', 'a bracketed IPv6 address');
    assert.equal(await from('10.0.0.2', '198.51.100.1:5555, 10.0.0.3:80'), '198.51.100.1', 'ports on every hop');
    assert.equal(await from('10.0.0.2', 'unknown'), '10.0.0.2', 'no address: the proxy that sent it is the client');
    assert.equal(await from('10.0.0.2', 'unknown, 10.0.0.3'), '10.0.0.3', 'the last trusted hop before it');
    assert.equal(await from('10.0.0.2', 'junk, 198.51.100.5'), '198.51.100.5', 'not reached: the client is right');
    assert.equal(await from('203.0.113.9', '198.51.100.1:5555'), '203.0.113.9', 'an untrusted peer is not read');
  });

  it('takes IPv6 addresses and ranges', async () => {
    const a = await app({ trustedProxies: ['2001:db8:1::/48', '::1'] });
    const from = async (remote: string, forwarded: string) =>
      (await seen(a, remote, { 'x-forwarded-for': forwarded })).ip;
    assert.equal(await from('2001:db8:1::5', '2001:db8:ffff::9'), '2001:db8:ffff::9');
    assert.equal(await from('::1', '198.51.100.4'), '198.51.100.4');
    assert.equal(await from('2001:db8:2::5', '2001:db8:ffff::9'), '2001:db8:2::5', 'outside the /48');
    assert.equal(await from('127.0.0.1', '198.51.100.4'), '127.0.0.1', '::1 is not 127.0.0.1');
  });

  it('believes X-Forwarded-Proto from a trusted proxy only', async () => {
    const a = await app({ trustedProxies: ['10.0.0.2'] });
    assert.equal((await seen(a, '10.0.0.2', { 'x-forwarded-proto': 'https' })).protocol, 'https');
    assert.equal((await seen(a, '10.0.0.3', { 'x-forwarded-proto': 'https' })).protocol, 'http');
  });
});

describe('the sign-in limiter behind a proxy', () => {
  // threat: Behind a reverse proxy, the client address comes from X-Forwarded-For only when the connection comes from a trusted proxy: a client cannot choose the address it is limited under.
  it('keys by the client behind the proxy: two clients behind one proxy do not share a bucket', async () => {
    const a = await app({ trustedProxies: ['10.0.0.0/8'] });
    const email = world.techA.email;
    for (let i = 0; i < 5; i++)
      assert.equal((await login(a, '10.0.0.2', email, `guess ${i}`, '198.51.100.21')).statusCode, 401);
    assert.equal((await login(a, '10.0.0.2', email, TEST_PASSWORD, '198.51.100.21')).statusCode, 429);
    const other = await login(a, '10.0.0.2', email, TEST_PASSWORD, '198.51.100.22');
    assert.equal(other.statusCode, 200, 'the other client behind the same proxy signs in');
  });

  // threat: Behind a reverse proxy, the client address comes from X-Forwarded-For only when the connection comes from a trusted proxy: a client cannot choose the address it is limited under.
  it('a client behind a proxy that adds ports is one bucket, whatever its port', async () => {
    const a = await app({ trustedProxies: ['10.0.0.0/8'] });
    const email = world.requesterB.email;
    for (let i = 0; i < 5; i++)
      assert.equal((await login(a, '10.0.0.2', email, `guess ${i}`, `198.51.100.61:${40000 + i}`)).statusCode, 401);
    assert.equal((await login(a, '10.0.0.2', email, TEST_PASSWORD, '198.51.100.61:50000')).statusCode, 429);
  });

  // threat: Behind a reverse proxy, the client address comes from X-Forwarded-For only when the connection comes from a trusted proxy: a client cannot choose the address it is limited under.
  it('a client cannot leave its bucket by sending X-Forwarded-For itself, directly or through the proxy', async () => {
    const a = await app({ trustedProxies: ['10.0.0.0/8'] });
    const email = world.techB.email;
    for (let i = 0; i < 5; i++)
      assert.equal((await login(a, '203.0.113.31', email, `guess ${i}`, `198.51.100.${i}`)).statusCode, 401);
    assert.equal((await login(a, '203.0.113.31', email, TEST_PASSWORD, '198.51.100.99')).statusCode, 429);
    const viaProxy = (forged: string) => `${forged}, 203.0.113.32`;
    for (let i = 0; i < 5; i++)
      assert.equal((await login(a, '10.0.0.2', email, `guess ${i}`, viaProxy(`198.51.100.${i}`))).statusCode, 401);
    assert.equal((await login(a, '10.0.0.2', email, TEST_PASSWORD, viaProxy('10.0.0.77'))).statusCode, 429);
  });
});

describe('the metrics behind a proxy', () => {
  it('are not served through a proxy without a token, and are with one', async () => {
    const scrape = async (a: FastifyInstance, remoteAddress: string, headers: Record<string, string> = {}) =>
      a.inject({ method: 'GET', url: '/metrics', remoteAddress, headers });
    const open = await app({ trustedProxies: ['10.0.0.0/8'] });
    assert.equal((await scrape(open, '10.0.0.5')).statusCode, 200, 'Prometheus asking the instance directly');
    const forwarded = await scrape(open, '10.0.0.2', { 'x-forwarded-for': '198.51.100.90' });
    assert.equal(forwarded.statusCode, 403);
    for (const unreadable of ['unknown', '198.51.100.90, unknown', '', ' '])
      assert.equal(
        (await scrape(open, '10.0.0.2', { 'x-forwarded-for': unreadable })).statusCode,
        403,
        `forwarded as "${unreadable}"`,
      );
    assert.match(forwarded.json().message, /PARLEY_METRICS_TOKEN/);
    const untold = await app();
    assert.equal((await scrape(untold, '127.0.0.1', { 'x-forwarded-for': '198.51.100.91' })).statusCode, 403);
    const token = 'a-metrics-token-of-24-chars';
    const guarded = await app({ trustedProxies: ['10.0.0.0/8'], metricsToken: token });
    const through = { 'x-forwarded-for': '198.51.100.92', authorization: `Bearer ${token}` };
    assert.equal((await scrape(guarded, '10.0.0.2', through)).statusCode, 200);
    assert.equal((await scrape(guarded, '10.0.0.2', { 'x-forwarded-for': '198.51.100.92' })).statusCode, 401);
  });
});

describe('cookies and logs behind a proxy', () => {
  // threat: Behind a reverse proxy, the client address comes from X-Forwarded-For only when the connection comes from a trusted proxy: a client cannot choose the address it is limited under.
  it('the session cookie is Secure when a trusted proxy says https, and only then', async () => {
    const a = await app({ trustedProxies: ['10.0.0.2'] });
    const cookie = async (remoteAddress: string, proto?: string) => {
      const r = await a.inject({
        method: 'POST',
        url: '/api/v1/auth/login',
        remoteAddress,
        payload: { email: world.requesterA.email, password: TEST_PASSWORD },
        headers: proto ? { 'x-forwarded-proto': proto } : {},
      });
      assert.equal(r.statusCode, 200, r.body);
      return String(r.headers['set-cookie']);
    };
    assert.match(await cookie('10.0.0.2', 'https'), /; Secure/);
    assert.doesNotMatch(await cookie('10.0.0.2', 'http'), /Secure/);
    assert.doesNotMatch(await cookie('10.0.0.2'), /Secure/);
    assert.doesNotMatch(await cookie('10.0.0.3', 'https'), /Secure/, 'an untrusted client changes nothing');
  });

  it('the request log names the client address, and the proxy hop when it is another', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const a = await app({ trustedProxies: ['10.0.0.0/8'], logger: pino({ level: 'info' }, sink) });
    await seen(a, '10.0.0.2', { 'x-forwarded-for': '198.51.100.40' });
    await seen(a, '203.0.113.41', { 'x-forwarded-for': '198.51.100.40' });
    const incoming = lines.filter((l) => l.msg === 'incoming request').map((l) => l.req as Record<string, unknown>);
    assert.equal(incoming.length, 2);
    assert.equal(incoming[0]!.remoteAddress, '198.51.100.40');
    assert.equal(incoming[0]!.proxyAddress, '10.0.0.2');
    assert.equal(incoming[1]!.remoteAddress, '203.0.113.41');
    assert.ok(!('proxyAddress' in incoming[1]!), 'a direct client: no proxy hop');
  });

  it('warns once when a proxy Parley was not told about forwards, and when a trusted one names no address', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(String(chunk)));
        done();
      },
    });
    const warnings = () =>
      lines.filter((l) => l.level === 40 && /X-Forwarded-For/.test(String(l.msg))).map((l) => String(l.msg));
    const untold = await app({ logger: pino({ level: 'info' }, sink) });
    await seen(untold, '203.0.113.50', { 'x-forwarded-for': '198.51.100.50' });
    assert.deepEqual(warnings(), [], 'a public client sending the header is no proxy');
    await seen(untold, '127.0.0.1', { 'x-forwarded-for': '198.51.100.51' });
    await seen(untold, '10.1.2.3', { 'x-forwarded-for': '198.51.100.52' });
    assert.equal(warnings().length, 1, warnings().join('\n'));
    assert.match(warnings()[0]!, /PARLEY_TRUSTED_PROXIES is empty/);
    lines.length = 0;
    const told = await app({ trustedProxies: ['10.0.0.0/8'], logger: pino({ level: 'info' }, sink) });
    await seen(told, '10.0.0.2', { 'x-forwarded-for': '198.51.100.53' });
    assert.deepEqual(warnings(), []);
    await seen(told, '10.0.0.2', { 'x-forwarded-for': 'unknown' });
    await seen(told, '10.0.0.2', { 'x-forwarded-for': 'unknown' });
    assert.equal(warnings().length, 1, 'once a proxy');
    assert.match(warnings()[0]!, /names no address/);
    await seen(told, '10.0.0.3', { 'x-forwarded-for': 'unknown' });
    assert.equal(warnings().length, 2, 'another proxy');
  });

  it('the audit log records the client behind a trusted proxy, and an untrusted claim is not believed', async () => {
    const a = await app({ trustedProxies: ['10.0.0.2'] });
    const change = async (remoteAddress: string, forwarded: string, name: string) => {
      const signedIn = await login(a, remoteAddress, world.admin.email, TEST_PASSWORD, forwarded);
      assert.equal(signedIn.statusCode, 200, signedIn.body);
      const r = await a.inject({
        method: 'POST',
        url: '/api/v1/admin/groups',
        remoteAddress,
        headers: {
          'x-forwarded-for': forwarded,
          cookie: String(signedIn.headers['set-cookie']).split(';')[0]!,
          'x-csrf-token': signedIn.json().csrfToken,
        },
        payload: { name },
      });
      assert.equal(r.statusCode, 201, r.body);
    };
    await change('10.0.0.2', '198.51.100.77', 'Through the proxy');
    await change('203.0.113.9', '198.51.100.78', 'Straight in');
    const { items } = await storage.audit.listAudit({ action: 'group.create' }, { cursor: null, limit: 10 });
    const byName = new Map(items.map((e) => [e.targetLabel, e.address]));
    assert.equal(byName.get('Through the proxy'), '198.51.100.77');
    assert.equal(byName.get('Straight in'), '203.0.113.9', 'the header of a client that is not a proxy is ignored');
  });
});
