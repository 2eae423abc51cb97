/**
 * The signature pages in a real browser against a real Parley: a technician writes their signature on the account
 * page (an unknown key is named in a sentence while typing), saves it and finds it after a reload; a requester's
 * account page has no signature; an administrator sets a team's signature in the group dialog.
 * Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

let parley: Parley;
let browser: Browser;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

describe('signatures', () => {
  it('a technician sets their signature on the account page, an unknown key named as they type', async () => {
    const { world } = parley;
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/account');
      await page.getByRole('heading', { name: 'Signature', level: 2 }).waitFor();
      const box = page.getByLabel('Your signature');
      assert.equal(await box.inputValue(), '');

      await box.fill('Tina Tech\nTicket ${TICKETNUMBER}');
      await page.getByText('Unknown key ${TICKETNUMBER} in the signature, line 2, column 8.').waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      assert.equal(await parley.deps.storage.people.userSignature(world.techA.id), null, 'nothing was saved');
      await screenshot(page, 'signature-unknown-key');

      await box.fill('Tina Tech\nTicket ${IDSERVICEREQUEST} · ${SIGNATURE}');
      await page.getByText('A signature cannot contain the signature key ${SIGNATURE} itself.').waitFor();
      await box.fill('Tina Tech\nTicket ${IDSERVICEREQUEST}');
      assert.equal(await page.locator('.field-error').count(), 0);
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Signature saved.').waitFor();
      assert.equal(
        await parley.deps.storage.people.userSignature(world.techA.id),
        'Tina Tech\nTicket ${IDSERVICEREQUEST}',
      );

      await page.reload();
      await page.getByRole('heading', { name: 'Signature', level: 2 }).waitFor();
      await page.waitForFunction(
        () => (document.querySelector('#account-signature') as HTMLTextAreaElement | null)?.value !== '',
      );
      assert.equal(await page.getByLabel('Your signature').inputValue(), 'Tina Tech\nTicket ${IDSERVICEREQUEST}');
      await screenshot(page, 'signature-saved');
    });
  });

  it("a requester's account page has no signature (Rita reads Spanish)", async () => {
    await withPage(browser, parley.baseUrl, 'es-ES', async (page) => {
      await signIn(page, parley.world.requesterB.email, {
        email: 'Correo electrónico',
        password: 'Contraseña',
        submit: 'Iniciar sesión',
      });
      await page.goto('/account');
      await page.getByRole('heading', { name: 'Contraseña', level: 2 }).waitFor();
      assert.equal(await page.getByRole('heading', { name: 'Firma' }).count(), 0);
      assert.equal(await page.locator('textarea').count(), 0);
    });
  });

  it("an administrator sets a team's signature in the group dialog", async () => {
    const { world } = parley;
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/groups');
      await page.getByRole('button', { name: 'Edit group Group A' }).click();
      const dialog = page.getByRole('dialog', { name: 'Edit group Group A' });
      const box = dialog.getByLabel('Team signature');
      await box.fill('Team A\n${TITULO}');
      await dialog.getByText('Unknown key ${TITULO} in the signature, line 2, column 1.').waitFor();
      await box.fill('Team A\n${TICKETTITLE}');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Group Group A was saved.').waitFor();
      assert.equal((await parley.deps.storage.people.findGroup(world.groupA))?.signature, 'Team A\n${TICKETTITLE}');

      await page.getByRole('button', { name: 'Edit group Group A' }).click();
      assert.equal(
        await page.getByRole('dialog', { name: 'Edit group Group A' }).getByLabel('Team signature').inputValue(),
        'Team A\n${TICKETTITLE}',
      );
      await screenshot(page, 'signature-team');
    });
  });
});
