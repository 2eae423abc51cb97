/**
 * A requester on their closed ticket (issue 16, item 2), in a real browser: where the composer was, a sentence says
 * the request is closed and a "New request" button leads to the form for a new one. In en-US on a desktop, and in
 * pt-BR on a 390 px phone (nothing wider than the screen). Screenshots: closed-ticket-<locale>.png.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContextOptions } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { updateTicket } from '../../src/domain/tickets/update-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { launchBrowser, screenshot, startParley, type Parley } from './harness.ts';
import { PHONE } from './pages.ts';

const CASES = [
  {
    locale: 'en-US',
    options: {} as BrowserContextOptions,
    sentence: 'This request is closed. Open a new request if you need more help.',
    button: 'New request',
    formHeading: 'New request',
  },
  {
    locale: 'pt-BR',
    options: PHONE,
    sentence: 'Esta solicitação está fechada. Abra uma nova solicitação se precisar de mais ajuda.',
    button: 'Nova solicitação',
    formHeading: 'Nova solicitação',
  },
] as const;

describe("a requester's closed ticket in the portal", () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  for (const c of CASES) {
    it(`shows the sentence and the new-request button instead of the composer (${c.locale}${c.options.viewport ? ', 390 px' : ''})`, async () => {
      const { deps, world } = parley;
      const email = `closed.${c.locale.toLowerCase()}@example.test`;
      const { id } = await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email,
        name: `Closed ${c.locale}`,
        password: TEST_PASSWORD,
        locale: c.locale,
      });
      const requester = (await loadActor(deps.storage, id))!;
      const ticket = await openTicket(deps, requester, {
        title: 'Old printer',
        description: 'Done.',
        groupId: world.groupA,
      });
      await updateTicket(deps, world.techA, ticket.number, { status: 'closed' });

      const context = await browser.newContext({
        baseURL: parley.baseUrl,
        locale: c.locale,
        timezoneId: 'UTC',
        viewport: { width: 1360, height: 900 },
        ...c.options,
      });
      context.setDefaultTimeout(10_000);
      try {
        const login = await context.request.post('/api/v1/auth/login', { data: { email, password: TEST_PASSWORD } });
        assert.equal(login.status(), 200);
        const page = await context.newPage();
        const problems: string[] = [];
        page.on('pageerror', (error) => problems.push(error.message));
        await page.goto(`/portal/tickets/${ticket.number}`);
        const notice = page.getByTestId('closed-notice');
        await notice.getByText(c.sentence, { exact: true }).waitFor();
        assert.equal(await page.locator('textarea, [contenteditable]').count(), 0, 'no composer on a closed ticket');
        const button = notice.getByRole('link', { name: c.button, exact: true });
        assert.equal(await button.getAttribute('href'), '/portal/new');
        if (c.options.viewport) {
          const widths = await page.evaluate(() => [document.documentElement.scrollWidth, document.body.scrollWidth]);
          assert.ok(
            widths.every((w) => w <= 390),
            `nothing wider than the screen (${widths.join(', ')} px)`,
          );
          const box = (await button.boundingBox())!;
          assert.ok(box.x >= 0 && box.x + box.width <= 390, 'the button lies within the screen');
        }
        await screenshot(page, `closed-ticket-${c.locale}`);
        await button.click();
        await page.getByRole('heading', { level: 1, name: c.formHeading, exact: true }).waitFor();
        assert.equal(new URL(page.url()).pathname, '/portal/new');
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
});
