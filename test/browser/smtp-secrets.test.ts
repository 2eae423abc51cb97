/**
 * The SMTP account page as an administrator uses it, in Chromium: the form says that changing the host, port or
 * security needs the password again and asks for it before saving; verify says "signed in" only when it did, and
 * answers every failure in the same words.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { getParameter } from '../../src/domain/parameters/get-parameter.ts';
import { readParameters, smtpAccountOf } from '../../src/domain/parameters/parameters.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { PARAM } from '../../src/domain/parameters/parameter-catalogue.ts';
import { closedPort } from '../support/echo-servers.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

let parley: Parley;
let browser: Browser;
let sink: SmtpSink;

before(async () => {
  [parley, browser, sink] = await Promise.all([startParley(), launchBrowser(), SmtpSink.start()]);
});
after(async () => {
  await browser?.close();
  await parley?.close();
  await sink?.close();
});

const account = async () => smtpAccountOf(await readParameters(parley.storage));

describe('the SMTP account page', () => {
  // threat: An admin changes the SMTP or IMAP host, port or security without re-entering the password
  it('asks for the password again when the host, port or security change, and saves once it is given', async () => {
    sink.requireAuth({ user: 'desk', pass: 'sink-pass-41!' });
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/smtp');
      await page.getByLabel('SMTP host').waitFor();
      await page.locator('#smtp-port').fill(String(sink.port));
      await page.getByLabel('The server requires authentication').check();
      await page.locator('#smtp-user').fill('desk');
      await page.locator('#smtp-password').fill('sink-pass-41!');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('SMTP account saved.').waitFor();
      await page.getByText('Changing the host, port or security needs the password again').waitFor();

      await page.getByRole('button', { name: 'Verify connection' }).click();
      await page.getByText('The server answered and accepted the sign-in.').waitFor();

      // Another port, no password: the form asks for it, and nothing is saved.
      const other = await closedPort();
      await page.locator('#smtp-port').fill(String(other));
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Enter the password again: the host, port or security changed.').waitFor();
      assert.equal((await account()).port, sink.port, 'nothing was saved');
      await screenshot(page, 'admin-smtp-password-again');

      // Given again, it saves; verify against the closed port answers in the words every failure gets.
      await page.locator('#smtp-password').fill('sink-pass-41!');
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('SMTP account saved.').waitFor();
      assert.equal((await account()).port, other);
      await page.getByRole('button', { name: 'Verify connection' }).click();
      await page.getByText('Could not verify the SMTP account with that server.', { exact: false }).waitFor();
      assert.ok(!(await page.content()).includes('sink-pass-41!'), 'the password is never shown');
    });
  });

  it('the parameters page says which settings need the password again, and lets a stored password be removed', async () => {
    await setParameter(parley.deps, CLI_ORIGIN, parley.world.admin, PARAM.IMAP_PASSWORD, 'imap-pass-77!');
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/parameters');
      await page.getByRole('button', { name: `Edit parameter ${PARAM.IMAP_HOST}` }).click();
      await page.getByText('Changing this needs the password again').waitFor();
      await page.getByRole('button', { name: 'Cancel' }).click();
      await page.getByRole('button', { name: `Edit parameter ${PARAM.IMAP_PASSWORD}` }).click();
      await page.getByText('Leave it empty and save to remove the stored password.').waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText(`Parameter ${PARAM.IMAP_PASSWORD} saved.`).waitFor();
      assert.equal((await getParameter(parley.deps, PARAM.IMAP_PASSWORD, 'en-US')).set, false);
    });
  });
});
