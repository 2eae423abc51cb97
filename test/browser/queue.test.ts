/**
 * The desk's queue in a real browser, in the three languages and at phone width: a search from the box, sorting by a
 * column header (aria-sort), filters in the URL surviving a reload, the unread marker going when the technician opens
 * the ticket and coming back with the requester's reply.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import type { Locale } from '../../src/domain/locale.ts';
import { editUser } from '../../src/domain/users/edit-user.ts';
import { enUS } from '../../web/src/i18n/en-US.ts';
import { esES } from '../../web/src/i18n/es-ES.ts';
import { ptBR } from '../../web/src/i18n/pt-BR.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { signIn as apiSignIn } from '../support/http.ts';
import { launchBrowser, newContext, screenshot, startParley, type Parley } from './harness.ts';

const WORDS = { 'en-US': enUS, 'pt-BR': ptBR, 'es-ES': esES } as const;

/** Waits until the page's URL (changed through the history API) has this parameter. */
const urlHas = (page: Page, name: string, value: string) =>
  page.waitForFunction(([n, v]) => new URLSearchParams(location.search).get(n!) === v, [name, value]);

/** The row of the ticket with this title. */
const rowOf = (page: Page, title: string) => page.locator('tbody tr', { hasText: title });

describe('the desk queue in the web app', () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  for (const [index, locale] of (['en-US', 'pt-BR', 'es-ES'] as const).entries()) {
    it(`searches, sorts, keeps its filters in the URL and marks unread tickets, in ${locale}`, async () => {
      const t = WORDS[locale];
      const { world, app, deps } = parley;
      await editUser(deps, CLI_ORIGIN, world.admin, world.techA.id, { locale: locale as Locale });
      const requester = await apiSignIn(app, world.requesterA.email);
      const word = `zephyr${index}x`;
      const titles = [`${word} alpha printer`, `${word} beta scanner`];
      const numbers: number[] = [];
      for (const title of titles) {
        const r = await requester.post('/api/v1/tickets', { title, description: 'Queue test.', groupId: world.groupA });
        assert.equal(r.statusCode, 201, r.body);
        numbers.push(r.json().number);
      }
      const { page, context, problems } = await newContext(browser, parley.baseUrl, locale);
      try {
        await page.goto('/');
        await page.locator('#signin-email').fill(world.techA.email);
        await page.locator('input[type="password"]').fill(TEST_PASSWORD);
        await page.locator('form button[type="submit"]').click();
        await page.getByRole('heading', { name: t['desk.title'] }).waitFor();

        // A search from the box goes to the URL and finds both tickets, each unread.
        await page.getByRole('searchbox', { name: t['desk.search'] }).fill(word);
        await page.getByRole('button', { name: t['desk.searchSubmit'], exact: true }).click();
        await urlHas(page, 'q', word);
        await rowOf(page, titles[1]!).waitFor();
        // The unfiltered list may still be on screen (it has that row too): wait until it is replaced.
        await page.locator('tbody tr').nth(2).waitFor({ state: 'detached' });
        assert.equal(await page.locator('tbody tr').count(), 2);
        for (const title of titles) await rowOf(page, title).getByText(t['desk.unread'], { exact: true }).waitFor();
        assert.equal(await rowOf(page, titles[0]!).getAttribute('class'), 'row-unread');

        // Sorting by title: the header says how, both ways.
        const titleHeader = page.getByRole('columnheader', { name: t['ticket.title'] });
        await titleHeader.getByRole('button').click();
        await urlHas(page, 'sort', 'title');
        assert.equal(await titleHeader.getAttribute('aria-sort'), 'ascending');
        // The rows are the new answer's once the first is alpha (the header and URL change before the list arrives).
        await page.waitForFunction(() => /alpha/.test(document.querySelector('tbody tr')?.textContent ?? ''));
        await titleHeader.getByRole('button').click();
        await page.waitForFunction(() => !new URLSearchParams(location.search).has('dir'), undefined);
        assert.equal(await titleHeader.getAttribute('aria-sort'), 'descending');
        await page.waitForFunction(() => /beta/.test(document.querySelector('tbody tr')?.textContent ?? ''));

        // The responsible filter: nobody is responsible for these yet, so Tina's view is empty; it survives a reload.
        await page.locator('#filter-responsible').selectOption(String(world.techA.id));
        await urlHas(page, 'responsible', String(world.techA.id));
        await page.getByText(t['desk.empty']).waitFor();
        await page.reload();
        // (the people's names arrive after the page: the choice shows once they are there)
        await page.waitForFunction(
          (id) => (document.querySelector('#filter-responsible') as HTMLSelectElement | null)?.value === id,
          String(world.techA.id),
        );
        await page.getByText(t['desk.empty']).waitFor();
        // Filters in the URL survive a reload: the status filter, the search box and the sort are as they were.
        await page.goto(`/desk?q=${word}&status=new&sort=title&dir=desc`);
        await page.reload();
        await rowOf(page, titles[1]!).waitFor();
        assert.equal(await page.locator('#filter-status').inputValue(), 'new');
        assert.equal(await page.getByRole('searchbox', { name: t['desk.search'] }).inputValue(), word);
        assert.equal(await titleHeader.getAttribute('aria-sort'), 'descending');
        await page.goto(`/desk?q=${word}&status=closed`);
        await page.getByText(t['desk.empty']).waitFor();
        await page.goBack();
        await rowOf(page, titles[1]!).waitFor();

        // Opening the ticket (its thread) takes the marker away; the requester's reply brings it back.
        await rowOf(page, titles[0]!).getByRole('link', { name: titles[0]! }).click();
        await page.getByRole('heading', { name: titles[0]! }).waitFor();
        await page.locator('.thread, .empty').first().waitFor();
        await page.goBack();
        await rowOf(page, titles[1]!).getByText(t['desk.unread'], { exact: true }).waitFor();
        assert.equal(await rowOf(page, titles[0]!).getByText(t['desk.unread'], { exact: true }).count(), 0);
        assert.equal(await rowOf(page, titles[0]!).getAttribute('class'), null);
        await screenshot(page, `desk-queue-${locale}`);
        const reply = await requester.post(`/api/v1/tickets/${numbers[0]}/messages`, { text: 'Any news?' });
        assert.equal(reply.statusCode, 201, reply.body);
        await rowOf(page, titles[0]!).getByText(t['desk.unread'], { exact: true }).waitFor();

        // At phone width nothing is wider than the screen and the search box is there.
        await page.setViewportSize({ width: 390, height: 844 });
        await page.getByRole('searchbox', { name: t['desk.search'] }).waitFor();
        const widths = await page.evaluate(() => ({
          document: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
        }));
        assert.ok(widths.document <= 390 && widths.body <= 390, JSON.stringify(widths));
        // The headers are not shown on a phone: the sort is a list of its own.
        await page.getByLabel(t['desk.sortBy'], { exact: true }).selectOption('number asc');
        await urlHas(page, 'dir', 'asc');
        await page.waitForFunction(
          (n) => document.querySelector('tbody tr')?.textContent?.includes(`#${n}`),
          numbers[0],
        );
        await screenshot(page, `desk-queue-${locale}-phone`);
        assert.deepEqual(problems, []);
      } finally {
        await context.close();
      }
    });
  }
});
