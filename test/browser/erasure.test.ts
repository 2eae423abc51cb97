/**
 * Erasing a requester in a real browser against a real Parley: the administrator's dialog says what happens, the
 * button waits for the person's address typed again, the result is said in sentences, the list shows them erased;
 * the desk then shows the message as removed at the requester's request (in Portuguese too).
 */
import assert from 'node:assert/strict';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage as withPageIn } from './harness.ts';

let parley: Parley;
let browser: Browser;
let personId: number;
let ticket: number;
const EMAIL = 'olga.erasable@example.test';

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const { deps, world } = parley;
  personId = (
    await createUser(deps, CLI_ORIGIN, {
      role: 'requester',
      email: EMAIL,
      name: 'Olga Erasable',
      password: TEST_PASSWORD,
      locale: 'en-US',
    })
  ).id;
  // A technician of the ticket's team who reads Portuguese.
  await createUser(deps, CLI_ORIGIN, {
    role: 'technician',
    email: 'paulo@example.test',
    name: 'Paulo Técnico',
    password: TEST_PASSWORD,
    locale: 'pt-BR',
    groupIds: [world.groupA],
  });
  const olga = (await loadActor(deps.storage, personId))!;
  ticket = (
    await openTicket(deps, olga, { title: 'Olga cannot print', description: 'Since the move.', groupId: world.groupA })
  ).number;
  await postMessage(deps, olga, { ticketNumber: ticket, text: 'My phone number is 555-0199.', source: 'portal' });
  await postMessage(deps, world.techA, { ticketNumber: ticket, text: 'Thanks, we will call you.', source: 'desk' });
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

const withPage = (locale: string, body: (page: Page) => Promise<void>) =>
  withPageIn(browser, parley.baseUrl, locale, body);

describe('erasing a requester', () => {
  it('asks for the address typed again, says what was removed, and the thread keeps that the message existed', async () => {
    const { world } = parley;
    await withPage('en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.goto('/admin/users');
      // Staff have no such action: they are deactivated instead.
      await page.getByRole('button', { name: `Edit user ${world.techA.name}` }).waitFor();
      assert.equal(await page.getByRole('button', { name: `Erase personal data of ${world.techA.name}` }).count(), 0);

      await page.getByRole('button', { name: 'Erase personal data of Olga Erasable' }).click();
      const dialog = page.getByRole('dialog', { name: 'Erase the personal data of Olga Erasable' });
      await dialog.getByText('This cannot be undone.').waitFor();
      await dialog.getByText(/What stays: ticket numbers/).waitFor();
      const erase = dialog.getByRole('button', { name: 'Erase permanently' });
      assert.equal(await erase.isDisabled(), true);
      const confirm = dialog.getByLabel(`To confirm, type their email address: ${EMAIL}`);
      await confirm.fill('olga@example.test');
      assert.equal(await erase.isDisabled(), true, 'another address does not unlock it');
      await confirm.fill(EMAIL.toUpperCase());
      assert.equal(await erase.isDisabled(), false);
      await screenshot(page, 'erasure-dialog');
      await erase.click();

      const done = page.getByRole('dialog', { name: 'Personal data erased' });
      await done.getByText(/^Olga Erasable now appears as “Erased requester [0-9a-f]{8}”\.$/).waitFor();
      await done.getByText('Messages emptied (text and files): 1').waitFor();
      await done.getByText('Tickets whose title and description were replaced: 1').waitFor();
      await screenshot(page, 'erasure-result');
      await done.getByRole('button', { name: 'Close' }).click();

      const row = page.getByRole('row', { name: /Erased requester/ });
      await row.getByText('Erased', { exact: true }).waitFor();
      await row.getByText(`erased-${personId}@erased.invalid`).waitFor();
      assert.equal(await row.getByRole('button').count(), 0, 'nothing more to do with an erased person');
      assert.equal(await page.getByText('Olga Erasable').count(), 0);
    });

    await withPage('pt-BR', async (page) => {
      await signIn(page, 'paulo@example.test', { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await page.goto(`/desk/tickets/${ticket}`);
      await page.getByTestId('message-removed').getByText('Removida a pedido do solicitante.').waitFor();
      await page.getByText('Thanks, we will call you.').waitFor();
      assert.equal(await page.getByText('555-0199').count(), 0);
    });
  });
});
