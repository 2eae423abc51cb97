/**
 * What deploy/nginx/parley.conf does in front of instances, run by Debian's nginx with the file as the several-instances
 * test renders it, in front of two plain HTTP servers that record what reaches them and answer as told: the client's
 * forwarded headers are replaced, /metrics is not served, a hashed asset missing on one instance (a rolling upgrade)
 * comes from the other, and a 503 (an instance stopping) sends a GET to the next instance but never a POST.
 */
import assert from 'node:assert/strict';
import { once } from 'node:events';
import { createServer, request, type IncomingHttpHeaders, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import { NGINX_SKIP, startNginx, type Nginx } from '../support/nginx.ts';

interface Instance {
  server: Server;
  address: string;
  seen: { method: string; url: string; headers: IncomingHttpHeaders }[];
  answer: (method: string, url: string) => number;
}

async function instance(answer: Instance['answer']): Promise<Instance> {
  const seen: Instance['seen'] = [];
  const server = createServer((req, res) => {
    seen.push({ method: req.method!, url: req.url!, headers: req.headers });
    req.resume();
    req.on('end', () => res.writeHead(answer(req.method!, req.url!), { 'content-type': 'text/plain' }).end('ok'));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as { port: number };
  return { server, address: `127.0.0.1:${port}`, seen, answer };
}

/** A request to nginx from `localAddress`, its status. */
function ask(
  nginx: Nginx,
  method: string,
  path: string,
  headers: Record<string, string> = {},
  localAddress = '127.0.0.1',
): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = request(`${nginx.url}${path}`, { method, headers, localAddress, agent: false }, (res) => {
      res.resume();
      res.on('end', () => resolve(res.statusCode!));
    });
    req.on('error', reject);
    req.end(method === 'POST' ? '{}' : undefined);
  });
}

describe('the production nginx configuration at work', { skip: NGINX_SKIP }, () => {
  const stops: (() => Promise<void>)[] = [];
  after(async () => {
    for (const stop of stops.reverse()) await stop();
  });
  async function fleet(answerA: Instance['answer'], answerB: Instance['answer']) {
    const a = await instance(answerA);
    const b = await instance(answerB);
    stops.push(async () => {
      a.server.close();
      b.server.close();
    });
    const nginx = await startNginx([a.address, b.address]);
    stops.push(() => nginx.stop());
    return { a, b, nginx };
  }

  let ok: Awaited<ReturnType<typeof fleet>>;
  before(
    async () =>
      (ok = await fleet(
        () => 200,
        () => 200,
      )),
  );

  it("replaces the client's X-Forwarded-For, -Proto and -Host with what nginx saw", async () => {
    const forged = {
      'x-forwarded-for': '198.51.100.1',
      'x-forwarded-proto': 'https',
      'x-forwarded-host': 'evil.example',
      host: 'desk.example.com',
    };
    assert.equal(await ask(ok.nginx, 'GET', '/api/v1/me', forged, '127.0.0.2'), 200);
    const [last] = [...ok.a.seen, ...ok.b.seen].filter((r) => r.url === '/api/v1/me');
    assert.equal(last?.headers['x-forwarded-for'], '127.0.0.2');
    assert.equal(last?.headers['x-forwarded-proto'], 'http');
    assert.equal(last?.headers['x-forwarded-host'], 'desk.example.com');
  });

  it('does not serve /metrics: Prometheus asks each instance directly', async () => {
    assert.equal(await ask(ok.nginx, 'GET', '/metrics'), 404);
    assert.equal(await ask(ok.nginx, 'GET', '/metrics?x=1'), 404);
    assert.ok(![...ok.a.seen, ...ok.b.seen].some((r) => r.url.startsWith('/metrics')), 'no instance was asked');
  });

  it('fetches a hashed asset one instance lacks (a rolling upgrade) from the other', async () => {
    const { a, b, nginx } = await fleet(
      () => 404,
      (_m, url) => (url.startsWith('/assets/') ? 200 : 404),
    );
    for (let i = 0; i < 4; i++) assert.equal(await ask(nginx, 'GET', `/assets/index-${i}.js`), 200);
    assert.equal(b.seen.filter((r) => r.url.startsWith('/assets/')).length, 4);
    assert.ok(a.seen.length >= 1, 'the instance lacking them was asked first at least once');
    // Elsewhere a 404 is the answer: passed on, no other instance asked.
    for (let i = 0; i < 4; i++) assert.equal(await ask(nginx, 'GET', `/api/v1/tickets/${i}`), 404);
    const asked = [...a.seen, ...b.seen].filter((r) => r.url.startsWith('/api/v1/tickets/'));
    assert.equal(asked.length, 4, 'one instance asked for each');
  });

  it('sends a GET answered 503 (an instance stopping) to the next instance, and never repeats a POST', async () => {
    const { a, nginx } = await fleet(
      () => 503,
      () => 200,
    );
    const statuses: number[] = [];
    for (let i = 0; i < 4 && a.seen.length === 0; i++) statuses.push(await ask(nginx, 'POST', '/api/v1/tickets'));
    assert.equal(a.seen.length, 1, 'the stopping instance got one POST');
    assert.deepEqual(statuses.slice(-1), [503], 'that POST was answered 503, not sent again: it may have been done');
    const fresh = await fleet(
      () => 503,
      () => 200,
    );
    for (let i = 0; i < 4; i++) assert.equal(await ask(fresh.nginx, 'GET', '/api/v1/tickets'), 200);
    assert.ok(fresh.a.seen.length >= 1, 'the stopping instance was asked, then passed over');
  });
});
