/**
 * Canned answers in a real browser against a real Parley: in Portuguese, a technician types `/` in the desk composer
 * and inserts a team's answer rendered for the ticket in its requester's language (pt-BR), and finds another with the
 * "Canned answers" button; in Spanish, an administrator writes a team's answer in two languages on the admin page,
 * told of an unknown key in their language first; in English, a technician keeps their own answers on "My answers".
 * Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createCannedAnswer } from '../../src/domain/canned-answers/create-canned-answer.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { draftText, launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

let parley: Parley;
let browser: Browser;
let ana: number;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const user = async (email: string, name: string, role: string, locale: string, groupIds: number[]) =>
    (
      await createUser(parley.deps, CLI_ORIGIN, {
        role,
        email,
        name,
        password: TEST_PASSWORD,
        locale,
        groupIds,
      })
    ).id;
  await user('paulo@example.test', 'Paulo Pereira', 'technician', 'pt-BR', [parley.world.groupA]);
  ana = await user('ana@example.test', 'Ana Administradora', 'admin', 'es-ES', []);
  const { admin, groupA } = parley.world;
  for (const [name, variants] of [
    [
      'Impressora: reiniciar',
      [
        {
          locale: 'en-US',
          text: 'Hello ${REQUESTERNAME}, restart the printer (ticket ${IDSERVICEREQUEST}).',
          isDefault: true,
        },
        { locale: 'pt-BR', text: 'Olá ${NOMECONTATO}, reinicie a impressora (ticket ${IDSOLICITACAOSERVICO}).' },
        { locale: 'es-ES', text: 'Hola ${NOMECONTATO}, reinicie la impresora (ticket ${IDSOLICITUDSERVICIO}).' },
      ],
    ],
    ['Senha: redefinir', [{ locale: 'pt-BR', text: 'Sua senha foi redefinida, ${REQUESTERNAME}.' }]],
  ] as const)
    await createCannedAnswer(parley.deps, CLI_ORIGIN, admin, { name, variants: [...variants], groupId: groupA });
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

describe('canned answers in the browser', () => {
  it('pt-BR: "/" in the desk composer inserts the answer rendered for the ticket in the requester\'s language', async () => {
    const { ticketA } = parley.world; // requested by João Muñoz, who reads Portuguese
    await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
      await signIn(page, 'paulo@example.test', { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await page.goto(`/desk/tickets/${ticketA.number}`);
      const message = page.getByLabel('Mensagem', { exact: true });
      await message.click();
      await page.keyboard.type('Bom dia!\n/impr');
      const list = page.getByRole('listbox', { name: 'Respostas prontas' });
      await list.getByRole('option', { name: /Impressora: reiniciar/ }).waitFor();
      assert.equal(await list.getByRole('option').count(), 1);
      await screenshot(page, 'canned-answers-slash-pt-BR');
      await page.keyboard.press('Enter');
      await page
        .getByRole('status')
        .filter({ hasText: 'Inserida a resposta “Impressora: reiniciar” (pt-BR).' })
        .waitFor({ state: 'attached' });
      assert.equal(
        await draftText(message),
        `Bom dia!\nOlá João Muñoz, reinicie a impressora (ticket ${ticketA.number}).`,
      );
      assert.equal(await list.count(), 0);

      // Esc closes the list and leaves the text as typed.
      await page.keyboard.type(' /se');
      await list.getByRole('option', { name: /Senha: redefinir/ }).waitFor();
      await page.keyboard.press('Escape');
      await list.waitFor({ state: 'detached' });
      assert.match(await draftText(message), / \/se$/);
      // Dismissed, it stays closed as the word goes on: Enter is a new line, not an answer.
      await page.keyboard.type('nha');
      await page.keyboard.press('Enter');
      assert.match(await draftText(message), / \/senha\n$/);
      assert.equal(await list.count(), 0);
      // A name no answer has: Enter is a new line, as always.
      await page.keyboard.type(' /zzz');
      await page.getByText('Nenhuma resposta pronta corresponde.').waitFor();
      await page.keyboard.press('Enter');
      await list.waitFor({ state: 'detached' });
      assert.match(await draftText(message), / \/zzz\n$/);

      // The button: searched by name, another language picked, Enter inserts at the caret.
      await message.fill('');
      await page.getByRole('button', { name: 'Respostas prontas' }).click();
      await page.getByRole('combobox', { name: 'Buscar respostas pelo nome' }).fill('impressora');
      await page.getByLabel('Idioma da resposta', { exact: true }).selectOption('es-ES');
      await page.getByRole('combobox', { name: 'Buscar respostas pelo nome' }).press('Enter');
      await page.waitForFunction(
        (n) => (document.activeElement as HTMLElement | null)?.textContent?.includes(`ticket ${n}`),
        ticketA.number,
      );
      assert.equal(await draftText(message), `Hola João Muñoz, reinicie la impresora (ticket ${ticketA.number}).`);
      await page.getByRole('button', { name: 'Enviar', exact: true }).click();
      await page.getByText('Hola João Muñoz, reinicie la impresora').first().waitFor();
    });
  });

  it('es-ES: an administrator writes a team answer in two languages, told of an unknown key first', async () => {
    await withPage(browser, parley.baseUrl, 'es-ES', async (page) => {
      await signIn(page, 'ana@example.test', {
        email: 'Correo electrónico',
        password: 'Contraseña',
        submit: 'Iniciar sesión',
      });
      await page.goto('/admin/parameters');
      await page.getByRole('link', { name: 'Respuestas predefinidas' }).click();
      await page.getByRole('heading', { name: 'Respuestas predefinidas de los equipos', level: 1 }).waitFor();
      await page.getByRole('row', { name: /Impressora: reiniciar/ }).waitFor();
      await page.getByRole('button', { name: 'Nueva respuesta' }).click();
      const dialog = page.getByRole('dialog', { name: 'Nueva respuesta' });
      await dialog.getByLabel('Nombre', { exact: true }).fill('Portátil: pedido');
      await dialog.getByLabel('Equipo', { exact: true }).selectOption({ label: 'Group B' });
      const first = dialog.getByRole('group', { name: 'Idioma 1' });
      assert.equal(await first.getByLabel('Código de idioma').inputValue(), 'es-ES');
      await first.getByLabel('Texto', { exact: true }).fill('Hola ${NOMBRE}, su portátil está pedido.');
      await dialog.getByRole('button', { name: 'Guardar' }).click();
      await dialog
        .getByRole('alert')
        .getByText('Clave desconocida ${NOMBRE} en el texto en es-ES, línea 1, columna 6.')
        .waitFor();
      await screenshot(page, 'canned-answers-admin-es-ES-unknown-key');
      await first.getByLabel('Texto', { exact: true }).fill('Hola ${REQUESTERNAME}, su portátil está pedido.');
      await dialog.getByRole('button', { name: 'Añadir un idioma' }).click();
      const second = dialog.getByRole('group', { name: 'Idioma 2' });
      await second.getByLabel('Código de idioma').fill('pt-BR');
      await second.getByLabel('Texto', { exact: true }).fill('Olá ${NOMECONTATO}, seu notebook foi pedido.');
      await dialog.getByRole('button', { name: 'Guardar' }).click();
      await page.getByText('Respuesta «Portátil: pedido» guardada.').waitFor();
      const row = page.getByRole('row', { name: /Portátil: pedido/ });
      await row.getByRole('cell', { name: 'Group B' }).waitFor();
      await row.getByRole('cell', { name: 'es-ES, pt-BR' }).waitFor();
      await screenshot(page, 'canned-answers-admin-es-ES');
      const stored = (await parley.storage.cannedAnswers.listCannedAnswers({ groupIds: [parley.world.groupB] }))[0]!;
      assert.deepEqual(stored.scope, { kind: 'team', groupId: parley.world.groupB });
      assert.deepEqual(
        stored.variants.map((v) => [v.locale, v.isDefault]),
        [
          ['es-ES', true],
          ['pt-BR', false],
        ],
      );
      const audit = await parley.storage.audit.listAudit({ targetType: 'canned-answer', actorId: ana }, { limit: 10 });
      assert.deepEqual(
        audit.items.map((e) => e.action),
        ['canned-answer.create'],
      );

      await row.getByRole('button', { name: 'Eliminar la respuesta Portátil: pedido' }).click();
      await page
        .getByRole('dialog', { name: '¿Eliminar «Portátil: pedido»?' })
        .getByRole('button', { name: 'Eliminar la respuesta' })
        .click();
      await page.getByText('Respuesta «Portátil: pedido» eliminada.').waitFor();
      assert.equal(await page.getByRole('row', { name: /Portátil: pedido/ }).count(), 0);
    });
  });

  it('en-US: a technician keeps their own answers on "My answers"', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.techA.email);
      await page.getByRole('link', { name: /^Your account: Tina Tech/ }).click();
      await page.getByRole('link', { name: 'My canned answers' }).click();
      await page.getByRole('heading', { name: 'My answers', level: 1 }).waitFor();
      await page.getByText('No canned answers yet.').waitFor();
      await page.getByRole('button', { name: 'New answer' }).click();
      const dialog = page.getByRole('dialog', { name: 'New answer' });
      await dialog.getByLabel('Name', { exact: true }).fill('Sign-off');
      const first = dialog.getByRole('group', { name: 'Language 1' });
      assert.equal(await first.getByLabel('Language tag').inputValue(), 'en-US');
      await first.getByLabel('Text', { exact: true }).fill('Best regards,\nTina (ticket ${IDSERVICEREQUEST})');
      await dialog.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Answer “Sign-off” saved.').waitFor();
      await page
        .getByRole('row', { name: /Sign-off/ })
        .getByRole('button', { name: 'Edit answer Sign-off' })
        .click();
      const edit = page.getByRole('dialog', { name: 'Edit “Sign-off”' });
      await edit.getByLabel('Name', { exact: true }).fill('Sign-off (short)');
      await edit.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Answer “Sign-off (short)” saved.').waitFor();
      await screenshot(page, 'canned-answers-mine-en-US');
      const mine = await parley.storage.cannedAnswers.listCannedAnswers({ ownerId: parley.world.techA.id });
      assert.deepEqual(
        mine.map((a) => [a.name, a.variants[0]!.text]),
        [['Sign-off (short)', 'Best regards,\nTina (ticket ${IDSERVICEREQUEST})']],
      );
    });
  });
});
