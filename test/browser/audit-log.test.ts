/**
 * The audit log as an administrator uses it, in Chromium: a parameter, a password and a template are changed through
 * their pages; the Audit log page lists each change with who, from where and what changed (the password only as
 * "changed"), filters by one action, and fits a phone's width.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

const IMAP_PASSWORD = 'imap-Audit-pass-58!';

let parley: Parley;
let browser: Browser;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
});
after(async () => {
  await browser?.close();
  await parley?.close();
});

describe('the audit log page', () => {
  // threat: An administrator's change leaves a trace: who, when, from where and what; secrets named, never shown
  it('shows the parameter, password and template an admin changed, the password as "changed" only, and filters by action', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();

      await page.goto('/admin/parameters');
      await page.getByRole('button', { name: `Edit parameter ${PARAM.AUDIT_RETENTION_DAYS}` }).click();
      await page.getByLabel(`Value of parameter ${PARAM.AUDIT_RETENTION_DAYS}`).fill('90');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(`Parameter ${PARAM.AUDIT_RETENTION_DAYS} saved.`).waitFor();
      await page.getByRole('button', { name: `Edit parameter ${PARAM.IMAP_PASSWORD}` }).click();
      await page.getByLabel(`Value of parameter ${PARAM.IMAP_PASSWORD}`).fill(IMAP_PASSWORD);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(`Parameter ${PARAM.IMAP_PASSWORD} saved.`).waitFor();

      await page.goto(`/admin/templates/${parley.world.templateId}`);
      await page.locator('#tpl-subject').fill('Audited subject');
      await page.locator('form.editor-form button[type="submit"]').click();
      await page.getByText('Template saved.').waitFor();

      await page.getByRole('link', { name: 'Audit log' }).click();
      await page.getByRole('heading', { name: 'Audit log' }).waitFor();
      const rows = page.locator('[data-testid="audit-row"]');
      const retention = rows.filter({ hasText: `#${PARAM.AUDIT_RETENTION_DAYS}` });
      await retention.waitFor();
      assert.match((await retention.textContent()) ?? '', /Parameter set.*Value: 365\s*→\s*90/);
      const secret = rows.filter({ hasText: `#${PARAM.IMAP_PASSWORD}` });
      assert.match((await secret.textContent()) ?? '', /Value: changed/);
      const template = rows.filter({ hasText: 'Template edited' });
      assert.match((await template.textContent()) ?? '', /Subject: .*→\s*Audited subject/);
      for (const row of [retention, secret, template]) {
        const text = (await row.textContent()) ?? '';
        assert.ok(text.includes(parley.world.admin.email), 'who');
        assert.match(text, /127\.0\.0\.1/, 'from where');
      }
      assert.equal((await page.content()).includes(IMAP_PASSWORD), false, 'the password is never shown');
      await screenshot(page, 'admin-audit');

      await page.getByLabel('Action').selectOption({ label: 'Template edited' });
      await page.getByRole('button', { name: 'Filter', exact: true }).click();
      await page.waitForURL(/action=template\.update/);
      await rows.first().waitFor();
      await page.waitForFunction(() =>
        [...document.querySelectorAll('[data-testid="audit-row"]')].every(
          (r) => r.getAttribute('data-action') === 'template.update',
        ),
      );
      assert.deepEqual(await rows.evaluateAll((all) => all.map((r) => r.getAttribute('data-action'))), [
        'template.update',
      ]);

      // A phone's width: nothing wider than the screen, the filters and the entry within it.
      await page.setViewportSize({ width: 390, height: 844 });
      await page.goto('/admin/audit');
      await rows.first().waitFor();
      const widths = await page.evaluate(() => ({
        document: document.documentElement.scrollWidth,
        body: document.body.scrollWidth,
      }));
      assert.ok(widths.document <= 390 && widths.body <= 390, JSON.stringify(widths));
      const box = await page.getByRole('button', { name: 'Filter', exact: true }).boundingBox();
      assert.ok(box && box.x >= 0 && box.x + box.width <= 390, 'the Filter button is on the screen');
      await screenshot(page, 'phone-admin-audit');
    });
  });
});
