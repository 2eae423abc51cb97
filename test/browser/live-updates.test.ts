/**
 * Live updates in the browser over Server-Sent Events (`GET /api/v1/events`, same origin, cookie auth):
 * `event: ready` on connect; `event: ticket` with `{"number": N}` when a message is posted on a ticket the user can
 * see or one of its mails changes state. The page showing that ticket refetches its thread; list pages refetch.
 *
 * Two suites: one drives the web client with a stand-in stream that follows the contract (it runs while Parley has
 * no such route, so the client side is tested today); the other runs against Parley's own /api/v1/events and is
 * skipped until the server has it.
 */
import assert from 'node:assert/strict';
import type { ServerResponse } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import type { Browser, Page } from 'playwright-core';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { signIn as apiSignIn } from '../support/http.ts';
import { launchBrowser, newContext, signIn, startParley, type Parley } from './harness.ts';

const EVENTS = '/api/v1/events';

/** Serves the contract's stream (no authentication: a stand-in for the client's sake, never part of Parley). */
function standInStream(app: FastifyInstance) {
  const clients = new Set<ServerResponse>();
  app.get(EVENTS, (request, reply) => {
    reply.hijack();
    const res = reply.raw;
    res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-store', connection: 'keep-alive' });
    res.write('event: ready\ndata: {}\n\n');
    clients.add(res);
    request.raw.on('close', () => clients.delete(res));
  });
  app.addHook('preClose', async () => {
    for (const res of clients) res.end();
  });
  return {
    get connected() {
      return clients.size;
    },
    ticket(number: number) {
      for (const res of clients) res.write(`event: ticket\ndata: ${JSON.stringify({ number })}\n\n`);
    },
    /** Ends every stream, as a restarting server would; EventSource reconnects by itself. */
    drop() {
      for (const res of clients) res.end();
      clients.clear();
    },
  };
}

async function until(check: () => boolean | Promise<boolean>, what: string, ms = 8000) {
  const end = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting until ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Counts the page's GETs of one API path (to see a refetch happen). */
function countRequests(page: Page, path: RegExp) {
  let n = 0;
  page.on('request', (r) => {
    if (r.method() === 'GET' && path.test(new URL(r.url()).pathname)) n++;
  });
  return () => n;
}

describe('live updates, client side, against a stand-in stream that follows the contract', () => {
  let parley: Parley;
  let browser: Browser;
  let stream: ReturnType<typeof standInStream> | undefined;
  let skip: string | false = false;

  before(async () => {
    [parley, browser] = await Promise.all([
      startParley({
        beforeListen: (app) => {
          if (!app.hasRoute({ method: 'GET', url: EVENTS })) stream = standInStream(app);
        },
      }),
      launchBrowser(),
    ]);
    if (!stream) skip = 'Parley serves /api/v1/events itself: the suite below covers it';
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('refetches the thread of the ticket on screen when its event arrives, and only then', async (t) => {
    if (skip) return t.skip(skip);
    const { world, deps } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.requesterB.email, { email: 'Email', password: 'Password', submit: 'Sign in' });
      await page.getByRole('link', { name: world.ticketB.title }).click();
      await page.getByLabel('Mensaje', { exact: true }).waitFor();
      await until(() => stream!.connected > 0, 'the page opened the event stream');
      const threadFetches = countRequests(page, new RegExp(`^/api/v1/tickets/${world.ticketB.number}/messages$`));

      await postMessage(deps, world.techB, { ticketNumber: world.ticketB.number, text: 'Your laptop ships tomorrow.', source: 'desk' });
      stream!.ticket(world.ticketA.number); // another ticket: nothing to do here
      await new Promise((r) => setTimeout(r, 300));
      assert.equal(threadFetches(), 0, 'an event for another ticket does not refetch this one');
      assert.equal(await page.getByText('Your laptop ships tomorrow.').count(), 0);

      stream!.ticket(world.ticketB.number);
      await page.getByText('Your laptop ships tomorrow.').waitFor({ timeout: 5000 });
      assert.ok(threadFetches() >= 1);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('refetches list pages on any ticket event, and everything after reconnecting', async (t) => {
    if (skip) return t.skip(skip);
    const { world, deps } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await until(() => stream!.connected > 0, 'the queue opened the event stream');
      const listFetches = countRequests(page, /^\/api\/v1\/tickets$/);

      const fresh = await openTicket(deps, world.requesterA, { title: 'Projector has no signal', description: 'Room 2.', groupId: world.groupA });
      assert.equal(await page.getByRole('link', { name: fresh.title }).count(), 0);
      stream!.ticket(fresh.number);
      await page.getByRole('link', { name: fresh.title }).waitFor({ timeout: 5000 });
      assert.ok(listFetches() >= 1);

      // The stream drops (a server restart): EventSource reconnects, and the page refetches what it may have missed.
      const before = listFetches();
      stream!.drop();
      await until(() => listFetches() > before, 'the list is refetched after the stream came back', 15_000);
      assert.ok(stream!.connected > 0, 'reconnected');
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});

describe("live updates against Parley's own GET /api/v1/events", () => {
  let parley: Parley;
  let browser: Browser;
  let skip: string | false = false;

  before(async () => {
    parley = await startParley();
    if (!parley.app.hasRoute({ method: 'GET', url: EVENTS })) skip = 'Parley has no GET /api/v1/events yet';
    else browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('shows a message posted by the technician in the requester’s open ticket, without reloading', async (t) => {
    if (skip) return t.skip(skip);
    const { world, app } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.requesterB.email);
      await page.getByRole('link', { name: world.ticketB.title }).click();
      await page.getByLabel('Mensaje', { exact: true }).waitFor();
      await page.waitForTimeout(300); // the stream is open
      const tech = await apiSignIn(app, world.techB.email);
      const r = await tech.post(`/api/v1/tickets/${world.ticketB.number}/messages`, { text: 'Live: the laptop ships today.' });
      assert.equal(r.statusCode, 201, r.body);
      await page.getByText('Live: the laptop ships today.').waitFor({ timeout: 5000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('updates the mail state of the requester’s own message when the mail is sent', async (t) => {
    if (skip) return t.skip(skip);
    const { world } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.requesterA.email);
      await page.getByRole('link', { name: world.ticketA.title }).click();
      await page.getByLabel('Mensagem', { exact: true }).fill('Live: é urgente.');
      await page.getByRole('button', { name: 'Enviar', exact: true }).click();
      // "waiting" first, then "sent" once the dispatcher delivered it to the catcher: no reload in between.
      await page.getByTestId('message').filter({ hasText: 'Live: é urgente.' }).getByText('E-mail enviado para Tina Tech').waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('refetches the desk queue when a message is posted on a ticket the technician can see', async (t) => {
    if (skip) return t.skip(skip);
    const { world, app } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.waitForTimeout(300);
      const listFetches = countRequests(page, /^\/api\/v1\/tickets$/);
      const requester = await apiSignIn(app, world.requesterA.email);
      const r = await requester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Live: any news?' });
      assert.equal(r.statusCode, 201, r.body);
      await until(() => listFetches() > 0, 'the queue is refetched', 5000);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
