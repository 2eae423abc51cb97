/**
 * A template's languages in the admin's template editor, in a real browser against a real Parley: the variants are
 * tabs (arrows move between them); an administrator adds a pt-BR variant, writes its subject with a key from the
 * palette, previews it, saves and finds it after a reload; sends it as a test to the harness's SMTP server (the
 * built-in mail catcher) and gets the pt-BR mail; a wrong key in an es-ES variant is refused at save with the es-ES
 * tab selected and the sentence in it; es-ES is made the default and en-US removed (after a confirmation). Then the
 * same editor with the interface switched to pt-BR (tab labels in Portuguese), checked by axe, and at a phone's width.
 * Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createTemplate } from '../../src/domain/templates/create-template.ts';
import { DEFAULT_TEMPLATES } from '../../src/domain/templates/default-templates.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { audit } from './axe.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

let parley: Parley;
let browser: Browser;
let templateId: number;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  templateId = (
    await createTemplate(parley.deps, CLI_ORIGIN, { ...DEFAULT_TEMPLATES['en-US'], name: 'Welcome letter' })
  ).id;
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

const stored = async () => (await parley.storage.settings.findTemplate(templateId))!;

async function openEditor(page: Page, heading = 'Template: Welcome letter') {
  await page.goto(`/admin/templates/${templateId}`);
  await page.getByRole('heading', { name: heading, level: 1 }).waitFor();
}

describe('a template in several languages in the editor', () => {
  it('en-US: adds a pt-BR variant, previews, saves, sends it as a test; refuses a wrong key in es-ES in its tab', async () => {
    const { ticketA } = parley.world; // requested by João Muñoz
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await openEditor(page);
      const tabs = page.getByRole('tablist', { name: 'Languages of the template' });
      const english = tabs.getByRole('tab', { name: 'American English en-US' });
      await tabs.getByRole('tab', { name: 'American English en-US Default' }).waitFor();
      assert.equal(await english.getAttribute('aria-selected'), 'true');
      assert.equal(await tabs.getByRole('tab').count(), 1);

      // Add pt-BR: offered first, as the template has en-US.
      await page.getByRole('button', { name: 'Add a language' }).click();
      let dialog = page.getByRole('dialog', { name: 'Add a language to the template' });
      await dialog.getByLabel('Language', { exact: true }).selectOption('pt-BR');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.waitFor({ state: 'detached' });
      const portuguese = tabs.getByRole('tab', { name: 'Brazilian Portuguese pt-BR' });
      assert.equal(await portuguese.getAttribute('aria-selected'), 'true');
      const panel = page.getByRole('tabpanel', { name: 'Brazilian Portuguese pt-BR' });
      // It starts as a copy of the default, to be translated.
      assert.equal(await panel.getByLabel('Subject', { exact: true }).inputValue(), DEFAULT_TEMPLATES['en-US'].subject);

      // A tag the template has (in another case), and a text that is no tag, are refused with a sentence.
      await page.getByRole('button', { name: 'Add a language' }).click();
      dialog = page.getByRole('dialog', { name: 'Add a language to the template' });
      await dialog.getByLabel('Language', { exact: true }).selectOption('other');
      await dialog.getByLabel('Language tag', { exact: true }).fill('PT-br');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog
        .getByRole('alert')
        .getByText('The template already has a PT-br variant: choose it in the tabs.')
        .waitFor();
      await dialog.getByLabel('Language tag', { exact: true }).fill('not a tag');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog
        .getByRole('alert')
        .getByText('“not a tag” is not a language tag: write a language and a region, such as pt-BR or es-ES.')
        .waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      assert.equal(await tabs.getByRole('tab').count(), 2);

      // The pt-BR subject, a key inserted from the palette into it (not into the default's).
      const subject = panel.getByLabel('Subject', { exact: true });
      await subject.fill('Olá ${NOMECONTATO}: ');
      await subject.press('End');
      await page.getByRole('button', { name: 'Insert ${TICKETTITLE}' }).click();
      assert.equal(await subject.inputValue(), 'Olá ${NOMECONTATO}: ${TICKETTITLE}');
      await panel.getByLabel('HTML body').fill('<p>Mensagem em português: ${COMMENTTEXT}</p>');

      // The arrows move between the tabs, each showing its own variant.
      await portuguese.focus();
      await page.keyboard.press('ArrowLeft');
      assert.equal(await english.getAttribute('aria-selected'), 'true');
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'tpl-variant-tab-en-US');
      assert.equal(
        await page.getByRole('tabpanel').getByLabel('Subject', { exact: true }).inputValue(),
        DEFAULT_TEMPLATES['en-US'].subject,
      );
      await page.keyboard.press('End');
      assert.equal(await portuguese.getAttribute('aria-selected'), 'true');

      // The preview is of the pt-BR variant, against ticket A.
      const preview = page.locator('.preview');
      await preview.getByText('Variant: Brazilian Portuguese — pt-BR, as its readers receive it.').waitFor();
      await page.locator('#preview-ticket').selectOption(String(ticketA.number));
      await preview.locator('.mail-subject').getByText(`Olá João Muñoz: ${ticketA.title}`).waitFor();
      await page.frameLocator('iframe.mail-frame').getByText('Mensagem em português:').waitFor();

      // Saved, and there after a reload.
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Template saved.' }).waitFor();
      assert.deepEqual(
        (await stored()).variants.map((v) => [v.locale, v.subject]),
        [['pt-BR', 'Olá ${NOMECONTATO}: ${TICKETTITLE}']],
      );
      await page.reload();
      await page.getByRole('heading', { name: 'Template: Welcome letter', level: 1 }).waitFor();
      await portuguese.click();
      assert.equal(
        await page
          .getByRole('tabpanel', { name: 'Brazilian Portuguese pt-BR' })
          .getByLabel('Subject', { exact: true })
          .inputValue(),
        'Olá ${NOMECONTATO}: ${TICKETTITLE}',
      );
      await screenshot(page, 'template-variants-pt-BR-tab');

      // A test of the pt-BR variant reaches the SMTP server the harness runs (the mail catcher) in Portuguese.
      const to = 'variants-test@example.test';
      const testForm = page.getByRole('form', { name: 'Send a test' });
      await testForm.getByText('Sends the saved variant (Brazilian Portuguese — pt-BR)').waitFor();
      await testForm.getByLabel('Recipient address').fill(to);
      await testForm.getByLabel('Ticket number (optional)').fill(String(ticketA.number));
      await testForm.getByRole('button', { name: 'Send test' }).click();
      await testForm.locator('.notice-success').waitFor();
      await waitUntil(
        async () => parley.catcher.list().some((m) => m.envelope.to.includes(to)),
        'the test mail arrives',
      );
      const mail = parley.catcher.list().find((m) => m.envelope.to.includes(to))!;
      assert.equal(mail.subject, `Olá João Muñoz: ${ticketA.title}`);
      assert.match(mail.html ?? '', /Mensagem em português:/);

      // es-ES with a wrong key: told as you type; at save, from the default's tab, its tab is selected and says why.
      await page.getByRole('button', { name: 'Add a language' }).click();
      dialog = page.getByRole('dialog', { name: 'Add a language to the template' });
      await dialog.getByLabel('Language', { exact: true }).selectOption('es-ES');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      const spanish = tabs.getByRole('tab', { name: 'European Spanish es-ES' });
      assert.equal(await spanish.getAttribute('aria-selected'), 'true');
      const spanishPanel = page.getByRole('tabpanel', { name: 'European Spanish es-ES' });
      await spanishPanel.getByLabel('Subject', { exact: true }).fill('Hola ${NOMBRE_MAL}');
      await spanishPanel.getByText('Unknown key ${NOMBRE_MAL} at line 1, column 6.').waitFor();
      // A test of a variant never saved cannot be sent.
      await testForm
        .getByText('Save the template to send a test of this variant (European Spanish — es-ES).')
        .waitFor();
      assert.equal(await testForm.getByRole('button', { name: 'Send test' }).isDisabled(), true);
      await english.click();
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      const refused = spanishPanel.getByRole('alert').filter({ hasText: 'Not saved.' });
      await refused
        .getByText('In the es-ES variant: Unknown key ${NOMBRE_MAL} in the Subject at line 1, column 6.')
        .waitFor();
      assert.equal(await spanish.getAttribute('aria-selected'), 'true');
      await page.waitForFunction(() => document.activeElement?.id === 'tpl-subject');
      await screenshot(page, 'template-variants-es-ES-refused');
      assert.deepEqual(
        (await stored()).variants.map((v) => v.locale),
        ['pt-BR'],
        'nothing of the refused save was stored',
      );

      // Fixed, made the default, en-US removed after a confirmation: saved so.
      await spanishPanel.getByLabel('Subject', { exact: true }).fill('Hola ${NOMECONTATO}');
      await spanishPanel.getByRole('button', { name: 'Make default' }).click();
      await tabs.getByRole('tab', { name: 'European Spanish es-ES Default' }).waitFor();
      await english.click();
      await tabs.getByRole('tab', { name: 'American English en-US', exact: true }).waitFor();
      await page.getByRole('tabpanel').getByRole('button', { name: 'Remove this language' }).click();
      const confirm = page.getByRole('dialog', { name: 'Remove the variant American English — en-US?' });
      await confirm.getByRole('button', { name: 'Remove', exact: true }).click();
      await confirm.waitFor({ state: 'detached' });
      assert.equal(await tabs.getByRole('tab').count(), 2);
      await page.waitForFunction(() => document.activeElement?.id === 'tpl-variant-tab-es-ES');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await page.getByRole('status').filter({ hasText: 'Template saved.' }).waitFor();
      const saved = await stored();
      assert.equal(saved.locale, 'es-ES');
      assert.equal(saved.subject, 'Hola ${NOMECONTATO}');
      assert.deepEqual(
        saved.variants.map((v) => v.locale),
        ['pt-BR'],
      );
    });
  });

  it('pt-BR: with the interface switched to Portuguese, the tabs are named in Portuguese', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await openEditor(page);
      await page.getByLabel('Language', { exact: true }).selectOption('pt-BR');
      await page.getByRole('heading', { name: 'Modelo: Welcome letter', level: 1 }).waitFor();
      const tabs = page.getByRole('tablist', { name: 'Idiomas do modelo' });
      await tabs.getByRole('tab', { name: 'Espanhol (Espanha) es-ES Padrão' }).waitFor();
      await tabs.getByRole('tab', { name: 'Português (Brasil) pt-BR', exact: true }).click();
      await page
        .getByRole('tabpanel', { name: 'Português (Brasil) pt-BR' })
        .getByRole('button', { name: 'Tornar padrão' })
        .waitFor();
      await page.getByRole('button', { name: 'Adicionar um idioma' }).click();
      const dialog = page.getByRole('dialog', { name: 'Adicionar um idioma ao modelo' });
      assert.deepEqual(await dialog.getByLabel('Idioma', { exact: true }).locator('option').allInnerTexts(), [
        'Inglês (Estados Unidos) — en-US',
        'Outro idioma (digite o código)',
      ]);
      await screenshot(page, 'template-variants-pt-BR-ui');
      await dialog.getByRole('button', { name: 'Cancelar' }).click();
      // Back to English for whoever signs in next.
      await page.getByLabel('Idioma', { exact: true }).selectOption('en-US');
      await page.getByRole('heading', { name: 'Template: Welcome letter', level: 1 }).waitFor();
    });
  });

  it('has no serious accessibility problem with its tabs, the add dialog and a refused save (axe)', async () => {
    // axe is injected as a script, which the app's CSP forbids: this profile bypasses it (in the test only).
    const context = await browser.newContext({ baseURL: parley.baseUrl, locale: 'en-US', bypassCSP: true });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      await signIn(page, parley.world.admin.email);
      await page.waitForFunction(() => location.pathname !== '/');
      await openEditor(page);
      await page.getByRole('tab', { name: 'Brazilian Portuguese pt-BR' }).click();
      assert.deepEqual(await audit(page), [], 'the editor with two variants');
      await page.getByRole('button', { name: 'Add a language' }).click();
      const dialog = page.getByRole('dialog', { name: 'Add a language to the template' });
      await dialog.getByLabel('Language', { exact: true }).selectOption('other');
      await dialog.getByLabel('Language tag', { exact: true }).fill('x');
      await dialog.getByRole('button', { name: 'Add', exact: true }).click();
      await dialog.getByRole('alert').waitFor();
      assert.deepEqual(await audit(page), [], 'the add dialog refusing a tag');
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      const panel = page.getByRole('tabpanel', { name: 'Brazilian Portuguese pt-BR' });
      await panel.getByLabel('Subject', { exact: true }).fill('${NAO_EXISTE}');
      await page.getByRole('button', { name: 'Save', exact: true }).click();
      await panel.getByRole('alert').filter({ hasText: 'In the pt-BR variant:' }).waitFor();
      assert.deepEqual(await audit(page), [], 'a refused save in its tab');
    } finally {
      await context.close();
    }
  });

  it('at a phone’s width, the tabs wrap within the screen', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await page.setViewportSize({ width: 390, height: 844 });
      await signIn(page, parley.world.admin.email);
      await page.waitForFunction(() => location.pathname !== '/');
      await openEditor(page);
      const tabs = page.getByRole('tablist', { name: 'Languages of the template' }).getByRole('tab');
      assert.equal(await tabs.count(), 2);
      for (const tab of await tabs.all()) {
        const box = (await tab.boundingBox())!;
        assert.ok(box.x >= 0 && box.x + box.width <= 390, `a tab is on the screen: ${JSON.stringify(box)}`);
      }
      const add = (await page.getByRole('button', { name: 'Add a language' }).boundingBox())!;
      assert.ok(add.x >= 0 && add.x + add.width <= 390, 'the add button is on the screen');
      assert.ok(
        await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth),
        'the page does not scroll sideways',
      );
      await screenshot(page, 'template-variants-phone');
    });
  });
});
