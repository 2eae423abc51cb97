/**
 * People a ticket copies (Cc), in a real browser against a real Parley: a technician adds and removes them in the
 * desk's side panel (`PUT /api/v1/tickets/{n}/copies` with the whole list), an address that is no user yet becomes
 * one, an address that is not one is refused with the server's COPY_INVALID, and a copied requester finds the ticket
 * in their portal (with the "Copied" line) until they are removed. An administrator (pt-BR, at phone width) chooses
 * how a team sends copies; the thread names who a mail copied: addresses for the technician, names for the requester.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { signIn as apiSignIn } from '../support/http.ts';
import { launchBrowser, newContext, screenshot, signIn, startParley, type Parley } from './harness.ts';

/** The names and addresses listed in the desk's "Copied (Cc)" card. */
async function listed(page: Page): Promise<string[]> {
  return (await page.getByTestId('copy').allInnerTexts()).map((s) => s.replace(/\s+/g, ' ').trim());
}

describe('ticket copies (Cc) in the web app', () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('a technician copies a requester and a new address; the requester finds the ticket in the portal until removed', async () => {
    const { world, app } = parley;
    const ticket = world.ticketA;
    const desk = await newContext(browser, parley.baseUrl, 'en-US');
    const portal = await newContext(browser, parley.baseUrl, 'en-US');
    try {
      // The desk: Tina (group A, English) opens ticket A; nobody is copied yet.
      await signIn(desk.page, world.techA.email);
      await desk.page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await desk.page.goto(`/desk/tickets/${ticket.number}`);
      const card = desk.page.locator('section.card', { has: desk.page.getByRole('heading', { name: 'Copied (Cc)' }) });
      await card.getByText('Nobody is copied.').waitFor();

      await card.getByLabel('Email address', { exact: true }).fill(world.requesterB.email);
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.getByLabel('Email address', { exact: true }).fill('nina.new@partner.example');
      await card.getByLabel('Name (optional)', { exact: true }).fill('Nina New');
      await card.getByRole('button', { name: 'Add', exact: true }).click();
      await card.getByText('Not saved yet: save to apply the changes.').waitFor();
      await card.getByRole('button', { name: 'Save copies', exact: true }).click();
      await card.getByText('Saved.').waitFor();
      // The list is the server's answer: Rita by her user's name, Nina as a new user under the name given.
      assert.deepEqual(await listed(desk.page), [
        `Rita Requester ${world.requesterB.email} Remove`,
        'Nina New nina.new@partner.example Remove',
      ]);
      assert.equal(await card.getByText('Not saved yet: save to apply the changes.').count(), 0);
      const tech = await apiSignIn(app, world.techA.email);
      const detail = await tech.get(`/api/v1/tickets/${ticket.number}`);
      assert.equal(detail.statusCode, 200, detail.body);
      assert.deepEqual(
        detail
          .json()
          .copies.map((c: { name: string; email: string | null; role: string }) => [c.name, c.email, c.role]),
        [
          ['Rita Requester', world.requesterB.email, 'requester'],
          ['Nina New', 'nina.new@partner.example', 'requester'],
        ],
      );
      await screenshot(desk.page, 'desk-ticket-copies');

      // An address that is not one: the server's COPY_INVALID, worded in the page's language; nothing changes.
      await card.getByLabel('Email address', { exact: true }).fill('not-an-address');
      await card.getByRole('button', { name: 'Save copies', exact: true }).click();
      const alert = card.getByRole('alert').filter({ hasText: 'COPY_INVALID' });
      await alert.getByText('“not-an-address” is not an email address.').waitFor();
      await screenshot(desk.page, 'desk-ticket-copies-invalid');
      assert.equal((await listed(desk.page)).length, 2);
      assert.equal((await tech.get(`/api/v1/tickets/${ticket.number}`)).json().copies.length, 2);
      await card.getByLabel('Email address', { exact: true }).fill('');

      // The portal: Rita (Spanish) finds ticket A, which is not hers, among her requests, with who is copied.
      await signIn(portal.page, world.requesterB.email);
      await portal.page.getByRole('link', { name: world.ticketB.title }).waitFor();
      await portal.page.getByRole('link', { name: ticket.title }).click();
      const line = portal.page.locator('.copies-line');
      await line.waitFor();
      const text = (await line.innerText()).trim();
      assert.match(text, /^En copia: /);
      assert.ok(text.includes('Rita Requester') && text.includes('Nina New'), text);
      assert.ok(!text.includes('@'), 'names only');
      await screenshot(portal.page, 'portal-ticket-copied');

      // Removed in the desk, Rita no longer sees the ticket.
      await card.getByRole('button', { name: 'Remove Rita Requester from the copies', exact: true }).click();
      await card.getByRole('button', { name: 'Save copies', exact: true }).click();
      await card.getByText('Saved.').waitFor();
      assert.deepEqual(await listed(desk.page), ['Nina New nina.new@partner.example Remove']);
      const rita = await apiSignIn(app, world.requesterB.email);
      assert.equal((await rita.get(`/api/v1/tickets/${ticket.number}`)).statusCode, 404);
      await portal.page.goto('/portal');
      await portal.page.getByRole('link', { name: world.ticketB.title }).waitFor();
      assert.equal(await portal.page.getByRole('link', { name: ticket.title }).count(), 0, 'ticket A left her list');

      assert.deepEqual(desk.problems, []);
      assert.deepEqual(portal.problems, []);
    } finally {
      await desk.context.close();
      await portal.context.close();
    }
  });

  it('an administrator chooses one mail each or copies in Cc; the thread names who each mail copied', async () => {
    const { world, app } = parley;
    const ticket = world.ticketA;
    const tech = await apiSignIn(app, world.techA.email);
    const copies = await tech.put(`/api/v1/tickets/${ticket.number}/copies`, {
      copies: [{ email: world.requesterB.email }],
    });
    assert.equal(copies.statusCode, 200, copies.body);
    const posted = await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'One mail, Rita in Cc.' });
    assert.equal(posted.statusCode, 201, posted.body);

    const admin = await newContext(browser, parley.baseUrl, 'pt-BR');
    const desk = await newContext(browser, parley.baseUrl, 'en-US');
    const portal = await newContext(browser, parley.baseUrl, 'pt-BR');
    try {
      // The desk thread: the mail to João names Rita's address in its Cc.
      await signIn(desk.page, world.techA.email);
      await desk.page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await desk.page.goto(`/desk/tickets/${ticket.number}`);
      await desk.page
        .getByText(`${world.requesterA.email}, with ${world.requesterB.email} in Cc`, { exact: false })
        .first()
        .waitFor();
      // João, the requester, sees names only on his own messages' mails: he writes, the technician and Rita are told.
      const joao = await apiSignIn(app, world.requesterA.email);
      assert.equal(
        (await joao.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'Obrigado!' })).statusCode,
        201,
      );
      await signIn(portal.page, world.requesterA.email, { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await portal.page.goto(`/portal/tickets/${ticket.number}`);
      await portal.page.getByText('Obrigado!').waitFor();
      const lines = (await portal.page.locator('.mail-line').allInnerTexts()).join(' | ');
      assert.ok(!lines.includes('@'), `names only: ${lines}`);

      // The administrator, who reads Portuguese, on a phone, makes Group A send one mail each.
      const adminApi = await apiSignIn(app, world.admin.email);
      assert.equal((await adminApi.patch('/api/v1/me', { locale: 'pt-BR' })).statusCode, 200);
      await admin.page.setViewportSize({ width: 390, height: 844 });
      await signIn(admin.page, world.admin.email, { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await admin.page.goto('/admin/groups');
      await admin.page.getByRole('button', { name: 'Editar o grupo Group A' }).click();
      const dialog = admin.page.getByRole('dialog', { name: 'Editar o grupo Group A' });
      const cc = dialog.getByRole('radio', { name: 'Um e-mail para o solicitante, com as cópias em Cc' });
      assert.equal(await cc.isChecked(), true, 'Cc is the default');
      await dialog.getByRole('radio', { name: 'Um e-mail separado para cada pessoa' }).check();
      await dialog.getByRole('button', { name: 'Salvar' }).click();
      await admin.page.getByText('O grupo Group A foi salvo.').waitFor();
      const overflow = await admin.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);
      await screenshot(admin.page, 'admin-group-copies-mode-pt-BR-phone');
      // Come back later: the choice is kept.
      await admin.page.reload();
      await admin.page.getByRole('button', { name: 'Editar o grupo Group A' }).click();
      assert.equal(
        await admin.page
          .getByRole('dialog', { name: 'Editar o grupo Group A' })
          .getByRole('radio', { name: 'Um e-mail separado para cada pessoa' })
          .isChecked(),
        true,
      );
      const group = (await adminApi.get('/api/v1/admin/groups'))
        .json()
        .items.find((g: { id: number }) => g.id === world.groupA);
      assert.equal(group.copiesMode, 'separate');
      const separate = await tech.post(`/api/v1/tickets/${ticket.number}/messages`, { text: 'One each now.' });
      assert.deepEqual(
        separate.json().notifications.map((n: { to: string }) => n.to),
        [world.requesterA.email, world.requesterB.email],
      );

      assert.deepEqual(desk.problems, []);
      assert.deepEqual(portal.problems, []);
      assert.deepEqual(admin.problems, []);
    } finally {
      await admin.context.close();
      await desk.context.close();
      await portal.context.close();
    }
  });
});
