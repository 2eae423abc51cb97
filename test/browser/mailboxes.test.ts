/**
 * The mailboxes page as an administrator uses it, in Chromium, in Spanish: a mailbox for Group A is added against a
 * real SMTP server the test starts (with a login), listed with its team after a reload, verified (signed in) and
 * tested from its dialog; deleting it while a team sends from it is refused with a sentence; once the team is taken
 * off, it is deleted. The password never appears in the page or the API's answers. At phone width, no sideways scroll.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { signIn as apiSignIn } from '../support/http.ts';
import { SmtpSink } from '../support/smtp-sink.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

const ES = { email: 'Correo electrónico', password: 'Contraseña', submit: 'Iniciar sesión' };

describe('the mailboxes page', () => {
  let parley: Parley;
  let browser: Browser;
  let sink: SmtpSink;
  before(async () => {
    [parley, browser, sink] = await Promise.all([startParley(), launchBrowser(), SmtpSink.start()]);
    sink.requireAuth({ user: 'it-user', pass: 'it-secret-9' });
  });
  after(async () => {
    await browser?.close();
    await sink?.close();
    await parley?.close();
  });

  it('adds a team’s mailbox, verifies and tests it, refuses to delete it while in use, then deletes it', async () => {
    const { world, app } = parley;
    const admin = await apiSignIn(app, world.admin.email);
    assert.equal((await admin.patch('/api/v1/me', { locale: 'es-ES' })).statusCode, 200);
    await withPage(browser, parley.baseUrl, 'es-ES', async (page) => {
      await signIn(page, world.admin.email, ES);
      await page.goto('/admin/mailboxes');
      await page.getByRole('heading', { name: 'Buzones', level: 1 }).waitFor();
      await page.getByTestId('mailbox-default').getByText('Lo usan: Group A, Group B.').waitFor();

      await page.getByRole('button', { name: 'Añadir un buzón' }).click();
      const dialog = page.getByRole('dialog', { name: 'Añadir un buzón' });
      await dialog.getByLabel('Nombre', { exact: true }).fill('Informática');
      await dialog.getByLabel('Dirección del remitente').fill('it@example.test');
      await dialog.getByLabel('Nombre del remitente').fill('Informática');
      await dialog.getByLabel('Servidor SMTP').fill('127.0.0.1');
      await dialog.getByLabel('Puerto', { exact: true }).fill(String(sink.port));
      await dialog.getByLabel('Seguridad de la conexión').selectOption('none');
      await dialog.getByLabel('Usuario').fill('it-user');
      // Saving without the password: the form says so in Spanish, nothing is sent.
      await dialog.getByRole('button', { name: 'Guardar' }).click();
      await dialog.locator('.field-error').first().waitFor();
      await dialog.getByLabel('Contraseña').fill('it-secret-9');
      await dialog.getByRole('checkbox', { name: 'Group A' }).check();
      await dialog.getByRole('button', { name: 'Guardar' }).click();
      await page.getByText('Se ha añadido el buzón Informática.').waitFor();

      // Come back later: listed with its team; the default mailbox now serves Group B only.
      await page.reload();
      const card = page.getByTestId('mailbox').filter({ hasText: 'Informática' });
      await card.getByText('Lo usan: Group A.').waitFor();
      await page.getByTestId('mailbox-default').getByText('Lo usan: Group B.').waitFor();
      assert.ok(!(await page.content()).includes('it-secret-9'), 'the password is not in the page');
      const listed = await admin.get('/api/v1/admin/mailboxes');
      assert.ok(!listed.body.includes('it-secret-9'), 'nor in the API');
      assert.equal(listed.json().items[0].passwordSet, true);

      // Verify and test send from its dialog, through the mailbox's server and login.
      await card.getByRole('button', { name: 'Editar el buzón Informática' }).click();
      const edit = page.getByRole('dialog', { name: 'Editar el buzón Informática' });
      await edit.getByRole('button', { name: 'Comprobar conexión' }).click();
      await edit.getByText('El servidor respondió y aceptó el inicio de sesión.').waitFor();
      await edit.getByLabel('Enviar un correo de prueba a').fill('someone@example.test');
      await edit.getByRole('button', { name: 'Enviar correo de prueba' }).click();
      await edit.locator('.notice-success').nth(1).waitFor();
      assert.equal(sink.accepted.at(-1)?.user, 'it-user');
      await screenshot(page, 'admin-mailbox-dialog-es-ES');
      await edit.getByRole('button', { name: 'Cancelar' }).click();

      // In use by Group A: deleting is refused with a sentence; nothing changes.
      await card.getByRole('button', { name: 'Eliminar el buzón Informática' }).click();
      await page.getByText('Todavía hay equipos que envían desde este buzón: deles otro buzón primero.').waitFor();
      assert.equal((await admin.get('/api/v1/admin/mailboxes')).json().items.length, 1);

      // Group A off it: deleted.
      await card.getByRole('button', { name: 'Editar el buzón Informática' }).click();
      const again = page.getByRole('dialog', { name: 'Editar el buzón Informática' });
      await again.getByRole('checkbox', { name: 'Group A' }).uncheck();
      await again.getByRole('button', { name: 'Guardar' }).click();
      await page.getByText('Se ha guardado el buzón Informática.').waitFor();
      await card.getByRole('button', { name: 'Eliminar el buzón Informática' }).click();
      await page.getByText('Se ha eliminado el buzón Informática.').waitFor();
      assert.equal((await admin.get('/api/v1/admin/mailboxes')).json().items.length, 0);

      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);
    });
  });
});
