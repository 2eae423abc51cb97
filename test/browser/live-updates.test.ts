/**
 * Live updates in the browser over Server-Sent Events (`GET /api/v1/events`, same origin, cookie auth):
 * `event: ready` on connect; `event: ticket` with `{"number": N}` when a message is posted on a ticket the user can
 * see or one of its mails changes state. The page showing that ticket refetches its thread; list pages refetch.
 *
 * Run against Parley's own /api/v1/events.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signIn as apiSignIn } from '../support/http.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, newContext, signIn, startParley, type Parley } from './harness.ts';

/** Resolves once the page's live-update stream answered (headers in): from then on no event is missed. */
const streamOpened = (page: Page) => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');

/** Counts the page's GETs of one API path (to see a refetch happen). */
function countRequests(page: Page, path: RegExp) {
  let n = 0;
  page.on('request', (r) => {
    if (r.method() === 'GET' && path.test(new URL(r.url()).pathname)) n++;
  });
  return () => n;
}

describe("live updates against Parley's own GET /api/v1/events", () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('a portal message appears in the open desk page, and the desk’s answer in the open portal page, without reloading', async () => {
    const { world } = parley;
    const portal = await newContext(browser, parley.baseUrl);
    const desk = await newContext(browser, parley.baseUrl);
    try {
      const portalStream = streamOpened(portal.page);
      const deskStream = streamOpened(desk.page);
      await signIn(portal.page, world.requesterB.email);
      await portal.page.getByRole('link', { name: world.ticketB.title }).click();
      await portal.page.getByLabel('Mensaje', { exact: true }).waitFor();
      await signIn(desk.page, world.techB.email);
      await desk.page.getByRole('link', { name: world.ticketB.title }).click();
      await desk.page.getByLabel('Mensagem', { exact: true }).waitFor(); // Bruno works in Portuguese
      await Promise.all([portalStream, deskStream]);

      await portal.page.getByLabel('Mensaje', { exact: true }).fill('Live from the portal: still broken.');
      await portal.page.getByRole('button', { name: 'Enviar', exact: true }).click();
      await desk.page.getByText('Live from the portal: still broken.').waitFor({ timeout: 5000 });

      await desk.page.getByLabel('Mensagem', { exact: true }).fill('Live from the desk: a new one is on its way.');
      await desk.page.getByRole('button', { name: 'Enviar', exact: true }).click();
      await portal.page.getByText('Live from the desk: a new one is on its way.').waitFor({ timeout: 5000 });
      assert.deepEqual(portal.problems, []);
      assert.deepEqual(desk.problems, []);
    } finally {
      await portal.context.close();
      await desk.context.close();
    }
  });

  it('shows a message posted by the technician in the requester’s open ticket, without reloading', async () => {
    const { world, app } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      const stream = streamOpened(page);
      await signIn(page, world.requesterB.email);
      await page.getByRole('link', { name: world.ticketB.title }).click();
      await page.getByLabel('Mensaje', { exact: true }).waitFor();
      await stream;
      const tech = await apiSignIn(app, world.techB.email);
      const r = await tech.post(`/api/v1/tickets/${world.ticketB.number}/messages`, {
        text: 'Live: the laptop ships today.',
      });
      assert.equal(r.statusCode, 201, r.body);
      await page.getByText('Live: the laptop ships today.').waitFor({ timeout: 5000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('updates the mail state of the requester’s own message when the mail is sent', async () => {
    const { world } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, world.requesterA.email);
      await page.getByRole('link', { name: world.ticketA.title }).click();
      await page.getByLabel('Mensagem', { exact: true }).fill('Live: é urgente.');
      await page.getByRole('button', { name: 'Enviar', exact: true }).click();
      // "waiting" first, then "sent" once the dispatcher delivered it to the catcher: no reload in between.
      await page
        .getByTestId('message')
        .filter({ hasText: 'Live: é urgente.' })
        .getByText('E-mail enviado para Tina Tech')
        .waitFor({ timeout: 10_000 });
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });

  it('refetches the desk queue when a message is posted on a ticket the technician can see', async () => {
    const { world, app } = parley;
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      const stream = streamOpened(page);
      await signIn(page, world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await stream;
      const listFetches = countRequests(page, /^\/api\/v1\/tickets$/);
      const requester = await apiSignIn(app, world.requesterA.email);
      const r = await requester.post(`/api/v1/tickets/${world.ticketA.number}/messages`, { text: 'Live: any news?' });
      assert.equal(r.statusCode, 201, r.body);
      await waitUntil(() => listFetches() > 0, 'the queue is refetched', 5000);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  });
});
