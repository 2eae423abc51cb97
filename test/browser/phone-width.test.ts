/**
 * Every page on a phone (390×844, touch, as Chromium emulates one): nothing wider than the screen (the document and
 * its body do not scroll sideways), no link, button, field or status badge outside the screen, and the controls a
 * person needs reachable: "Sign out" behind the Menu button, the status and the row actions of the queue, the outbox
 * and the parameters (lists become cards under their column names). Each page is saved as phone-<name>.png in
 * test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Locator, Page } from 'playwright-core';
import { launchBrowser, screenshot, startParley, type Parley } from './harness.ts';
import { PHONE, prepareSite, VISITS, Walker, type Site } from './pages.ts';

const WIDTH = 390;
let parley: Parley;
let browser: Browser;
let site: Site;
let walker: Walker;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  site = await prepareSite(parley);
  walker = new Walker(browser, () => site, 'en-US', PHONE);
});

after(async () => {
  await walker?.close();
  await browser?.close();
  await parley?.close();
});

/** Links, buttons, fields and badges that are drawn (not hidden, not zero-sized) but reach past either side of the screen. */
async function offScreen(page: Page): Promise<string[]> {
  // No named functions inside: the test runner's compiler would wrap them in a helper the page does not have.
  return page.evaluate((width) => {
    return [...document.querySelectorAll('a[href], button, input, select, textarea, .badge')]
      .filter((el) => {
        const box = el.getBoundingClientRect();
        if (box.width === 0 || box.height === 0 || getComputedStyle(el).visibility === 'hidden') return false;
        // The file input is drawn 1 px wide behind its label, which is checked as a label is.
        if (el instanceof HTMLInputElement && el.type === 'file') return false;
        return box.left < -0.5 || box.right > width + 0.5;
      })
      .map((el) => {
        const box = el.getBoundingClientRect();
        return `<${el.tagName.toLowerCase()} class="${el.getAttribute('class') ?? ''}">${(el.textContent ?? '').trim().slice(0, 40)} at ${Math.round(box.left)}–${Math.round(box.right)} px`;
      });
  }, WIDTH);
}

/**
 * The element is drawn and lies within the screen's width. The page is scrolled to it vertically only: scrolling it
 * into view would also scroll a too-wide table sideways inside its card, and hide the very fault this looks for.
 */
async function assertOnScreen(locator: Locator, what: string) {
  await locator.waitFor();
  await locator.evaluate((el) => window.scrollBy(0, el.getBoundingClientRect().top - window.innerHeight / 2));
  assert.ok(await locator.isVisible(), `${what} is visible`);
  const box = await locator.boundingBox();
  assert.ok(box, `${what} has a box`);
  assert.ok(
    box.x >= 0 && box.x + box.width <= WIDTH,
    `${what} lies within the ${WIDTH} px screen (it spans ${Math.round(box.x)}–${Math.round(box.x + box.width)} px)`,
  );
}

describe('every page at 390 px', () => {
  for (const visit of VISITS) {
    it(`${visit.name} (${visit.role}) fits the screen`, async () => {
      await walker.visit(visit, async (page) => {
        const widths = await page.evaluate(() => ({
          document: document.documentElement.scrollWidth,
          body: document.body.scrollWidth,
        }));
        assert.ok(widths.document <= WIDTH, `${visit.name}: the document is ${widths.document} px wide`);
        assert.ok(widths.body <= WIDTH, `${visit.name}: the body is ${widths.body} px wide`);
        assert.deepEqual(await offScreen(page), [], `${visit.name}: controls outside the screen`);
        await screenshot(page, `phone-${visit.name}`);
      });
    });
  }
});

describe('what a person needs on a phone', () => {
  const visit = (name: string) => VISITS.find((v) => v.name === name)!;

  it('shows the status and the Take button of every ticket in the queue, and takes one', async () => {
    await walker.visit(visit('desk-queue'), async (page) => {
      const row = page.getByRole('row', { name: /Printer jams/ });
      await assertOnScreen(row.getByText('New', { exact: true }), 'the status of ticket A');
      const take = row.getByRole('button', { name: `Take ticket ${site.ids.ticket}` });
      await assertOnScreen(take, 'the Take button of ticket A');
      await take.tap();
      await row.getByText('You', { exact: true }).waitFor();
      await assertOnScreen(row.getByText('In progress', { exact: true }), 'the new status of ticket A');
    });
  });

  it('shows each outbox mail with its state, and "Retry now" for the deferred one', async () => {
    await walker.visit(visit('admin-outbox'), async (page) => {
      const rows = page.locator('tbody tr');
      assert.ok((await rows.count()) >= 3);
      for (const row of await rows.all()) await assertOnScreen(row.locator('.badge'), 'the state of a mail');
      const deferred = page.getByRole('row', { name: new RegExp(`Open mail ${site.ids.deferredMail}\\b`) });
      await assertOnScreen(deferred.getByText('Deferred', { exact: true }), 'the state of the deferred mail');
      await assertOnScreen(
        deferred.getByRole('button', { name: `Retry now: mail ${site.ids.deferredMail}` }),
        'its Retry button',
      );
    });
  });

  it('shows every parameter with its value and Edit button, and edits one', async () => {
    await walker.visit(visit('admin-parameters'), async (page) => {
      const rows = page.locator('tbody tr');
      assert.ok((await rows.count()) >= 10);
      for (const row of await rows.all()) {
        const id = (await row.getAttribute('id'))!.replace('parameter-', '');
        await assertOnScreen(row.locator('.value'), `the value of parameter ${id}`);
        await assertOnScreen(
          row.getByRole('button', { name: `Edit parameter ${id}` }),
          `the Edit button of parameter ${id}`,
        );
      }
      await page.getByRole('button', { name: 'Edit parameter 417' }).tap();
      await assertOnScreen(page.getByLabel('Value of parameter 417'), 'the value field of parameter 417');
      await assertOnScreen(page.locator('#parameter-417').getByRole('button', { name: 'Save' }), 'its Save button');
    });
  });

  for (const role of ['requester', 'technician', 'admin'] as const) {
    it(`lets the ${role} open the menu, go to another page and sign out`, async () => {
      const page = await walker.pageOf(role);
      await page.goto(role === 'requester' ? '/portal' : '/desk');
      await page.locator('h1').waitFor();
      const signOut = page.getByRole('button', { name: 'Sign out' });
      assert.equal(await signOut.isVisible(), false, '"Sign out" waits behind the menu');
      const menu = page.getByRole('button', { name: 'Menu' });
      await assertOnScreen(menu, 'the Menu button');
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      await menu.tap();
      assert.equal(await menu.getAttribute('aria-expanded'), 'true');
      // Escape closes it and gives the focus back to the button.
      await page.getByRole('navigation', { name: 'Main' }).getByRole('link').first().focus();
      await page.keyboard.press('Escape');
      assert.equal(await menu.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.evaluate(() => document.activeElement?.classList.contains('topbar-menu')), true);
      await menu.tap();
      const nav = page.getByRole('navigation', { name: 'Main' });
      const other = nav.getByRole('link', { name: role === 'requester' ? 'New request' : 'Needs review' });
      await assertOnScreen(other, 'a link of the main navigation');
      await other.tap();
      await page.waitForURL(role === 'requester' ? /\/portal\/new$/ : /\/desk\/inbound$/);
      assert.equal(await menu.getAttribute('aria-expanded'), 'false', 'the menu closes on the new page');
      await menu.tap();
      await assertOnScreen(page.getByLabel('Language'), 'the language switch');
      await assertOnScreen(signOut, '"Sign out"');
      await signOut.tap();
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
    });
  }
});
