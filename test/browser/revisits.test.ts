/**
 * Coming back to a page, as a person does: a reload (F5), a second visit in the same browser with its HTTP cache,
 * and a link opened from a notification mail. The browser revalidates index.html (`no-cache` + ETag) and the server
 * answers `304 Not Modified`; whatever headers that 304 carries are merged into the cached page, so a 304 with the
 * API's `default-src 'none'` policy left every revisit blank. Each visit here must render the app.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { get } from 'node:http';
import type { FastifyInstance } from 'fastify';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, newContext, screenshot, signIn, startParley, type Parley } from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

let parley: Parley;
let browser: Browser;
/** An English-speaking requester and her ticket's number. */
let ana: Actor;
let ticket: number;
/** The status of every page (not API, not asset) the server answered, so a test can tell that a 304 really happened. */
const pageStatuses: number[] = [];

before(async () => {
  const recordPages = (app: FastifyInstance) => {
    app.addHook('onResponse', async (request, reply) => {
      if (!request.url.startsWith('/api/') && !request.url.startsWith('/assets/')) pageStatuses.push(reply.statusCode);
    });
  };
  [parley, browser] = await Promise.all([startParley({ beforeListen: recordPages }), launchBrowser()]);
  const { deps, world } = parley;
  ana = (await loadActor(
    deps.storage,
    (
      await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email: 'ana@example.test',
        name: 'Ana Requester',
        password: TEST_PASSWORD,
        locale: 'en-US',
        timeZone: 'UTC',
      })
    ).id,
  ))!;
  ticket = (
    await openTicket(deps, ana, {
      title: 'Cannot print to the 2nd floor',
      description: 'It says offline.',
      groupId: world.groupA,
    })
  ).number;
});

/** A plain HTTP GET (fetch adds `cache-control: no-cache` to conditional requests, which no browser revalidation sends). */
function rawGet(
  url: string,
  headers: Record<string, string>,
): Promise<{ status: number; headers: Record<string, string | string[] | undefined> }> {
  return new Promise((resolve, reject) => {
    get(url, { headers }, (res) => {
      res.resume();
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers }));
    }).on('error', reject);
  });
}

after(async () => {
  await browser?.close();
  await parley?.close();
});

/** The app rendered (the script ran): the page named by `heading` shows, with the way to sign out. */
async function assertRendered(page: Page, heading: RegExp) {
  await page.getByRole('heading', { name: heading }).first().waitFor();
  await page.getByRole('button', { name: 'Sign out' }).waitFor();
}

const ticketHeading = () => new RegExp(`#${ticket}\\b`);

describe('revisiting pages with the browser cache on', () => {
  it('serves a revalidated page (304) with the app policy, never the API one', async () => {
    const first = await rawGet(`${parley.baseUrl}/portal/tickets/1`, { accept: 'text/html' });
    const etag = first.headers.etag;
    assert.ok(typeof etag === 'string', 'index.html carries an ETag');
    assert.match(String(first.headers['content-security-policy']), /script-src 'self'/);
    for (const path of ['/', '/portal/tickets/1', '/desk', '/admin/outbox', '/index.html']) {
      const again = await rawGet(`${parley.baseUrl}${path}`, { accept: 'text/html', 'if-none-match': etag });
      assert.equal(again.status, 304, `${path} revalidates`);
      assert.equal(
        again.headers['content-security-policy'],
        first.headers['content-security-policy'],
        `${path}: the 304 carries the page's own policy`,
      );
    }
    // The API keeps its own policy.
    const api = await rawGet(`${parley.baseUrl}/api/v1/me`, { accept: 'application/json' });
    assert.match(String(api.headers['content-security-policy']), /default-src 'none'/);
  });

  it('renders after a reload, a second visit and in a new tab of the same browser', async () => {
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      const seen = pageStatuses.length;
      await signIn(page, ana.email);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      await page.goto(`/portal/tickets/${ticket}`);
      await assertRendered(page, ticketHeading());

      await page.reload();
      await assertRendered(page, ticketHeading());

      await page.goto('/portal');
      await page.goto(`/portal/tickets/${ticket}`);
      await assertRendered(page, ticketHeading());

      const tab = await context.newPage();
      await tab.goto(`/portal/tickets/${ticket}`);
      await assertRendered(tab, ticketHeading());
      await tab.reload();
      await assertRendered(tab, ticketHeading());
      await screenshot(tab, 'revisit-portal-ticket');
      // Chromium reports a revalidated page as the cached 200; the server saw the 304s.
      assert.ok(
        pageStatuses.slice(seen).includes(304),
        `the browser revalidated with a 304 (the server answered ${pageStatuses.slice(seen).join(', ')})`,
      );
      assert.deepEqual(problems, [], 'no script error or CSP violation');
    } finally {
      await context.close();
    }
  });

  it('renders every area on reload: portal, desk and admin', async () => {
    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, parley.world.admin.email);
      for (const [path, heading] of [
        ['/desk', /queue|tickets/i],
        ['/desk/tickets/1', /#1\b/],
        ['/admin/outbox', /outbox/i],
        ['/admin/parameters', /parameters/i],
      ] as const) {
        await page.goto(path);
        await assertRendered(page, heading);
        await page.reload();
        await assertRendered(page, heading);
      }
      assert.deepEqual(problems, [], 'no script error or CSP violation');
    } finally {
      await context.close();
    }
  });

  it('opens the ticket link of a notification mail, signed in and after signing in', async () => {
    const { deps, world } = parley;
    const before = parley.catcher.list().length;
    await postMessage(deps, world.admin, {
      ticketNumber: ticket,
      text: 'Could you try again now?',
      sendEmail: true,
      source: 'desk',
    });
    await waitUntil(
      () =>
        parley.catcher
          .list()
          .slice(before)
          .some((m) => m.envelope.to.includes(ana.email)),
      'the mail to the requester',
    );
    const mail = parley.catcher
      .list()
      .slice(before)
      .find((m) => m.envelope.to.includes(ana.email));
    assert.ok(mail, 'the requester was mailed');
    const html = mail.html ?? '';
    const link = new RegExp(`href="([^"]*/portal/tickets/${ticket}\\b[^"]*)"`).exec(html)?.[1]?.replace(/&amp;/g, '&');
    assert.ok(link, 'the mail links to the ticket in the portal');
    const target = new URL(link);
    const path = target.pathname + target.search;

    const { context, page, problems } = await newContext(browser, parley.baseUrl);
    try {
      await signIn(page, ana.email);
      await page.getByRole('button', { name: 'Sign out' }).waitFor();
      // The app was loaded once (cached); the mail's link is opened later in the same browser.
      await page.goto(path);
      await assertRendered(page, ticketHeading());
      await page.getByText('Could you try again now?').first().waitFor();
      // Later, the same link clicked again in the mail opens a new tab: the page is revalidated from the cache.
      const later = await context.newPage();
      await later.goto(path);
      await assertRendered(later, ticketHeading());
      await later.getByText('Could you try again now?').first().waitFor();
      assert.deepEqual(problems, [], 'no script error or CSP violation');
    } finally {
      await context.close();
    }
  });
});

// A browser context that is signed out and opens the mail link must see the sign-in form (rendered, not blank).
describe('a mail link opened signed out', () => {
  let context: BrowserContext | undefined;
  after(() => context?.close());
  it('shows the sign-in form, and the ticket after signing in', async () => {
    const created = await newContext(browser, parley.baseUrl);
    context = created.context;
    const page = created.page;
    await page.goto('/');
    await page.getByLabel('Email', { exact: true }).waitFor();
    await page.goto(`/portal/tickets/${ticket}`);
    await page.getByLabel('Email', { exact: true }).waitFor();
    await page.reload();
    await page.getByLabel('Email', { exact: true }).fill(ana.email);
    await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
    await page.getByRole('button', { name: 'Sign in', exact: true }).click();
    await assertRendered(page, ticketHeading());
    assert.deepEqual(created.problems, []);
  });
});
