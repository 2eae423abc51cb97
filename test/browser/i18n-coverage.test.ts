/**
 * The whole interface in Portuguese (see i18n-walk.ts): no page shows a text left in English, the things the issue
 * found in English are in Portuguese, and a refused sign-in says why in Portuguese with its error code only as the
 * code for support. i18n-coverage-es.test.ts does the same walk in Spanish (a file each, to share the time limit).
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { withPage } from './harness.ts';
import { browser, english, parley, readAll, setUpWalk, stillEnglish } from './i18n-walk.ts';

setUpWalk();

describe('the interface in the user’s language: pt-BR', () => {
  it('shows no English text on any page in pt-BR', async () => {
    const en = await english();
    const translated = await readAll('pt-BR');
    // What the issue saw in English, now in Portuguese.
    const has = (page: string, text: string | RegExp) =>
      assert.ok(
        translated.get(page)!.some((t) => (typeof text === 'string' ? t === text : text.test(t))),
        `${page} shows ${text}`,
      );
    has('admin outbox: the deferred mail and its attempts', 'Adiado');
    has('admin outbox: the deferred mail and its attempts', /^A conexão com o servidor SMTP (falhou|foi fechada)/);
    has('admin outbox: a sent mail', 'Enviado');
    has('admin outbox: a sent mail', /^O servidor respondeu: 250 /);
    has('admin parameters with a refused value', 'Nenhuma');
    has('admin parameters with a refused value', 'O parâmetro 14 deve ser um nome de servidor ou um endereço IP.');
    has('admin SMTP account with a verify result and a test mail result', /^O e-mail de teste não foi enviado\. /);
    has('admin template editor with an unknown key refused', 'Código para o suporte: TEMPLATE_UNKNOWN_KEY');
    has('desk held mail', 'O remetente não é usuário desta central de serviços.');
    assert.deepEqual(stillEnglish('pt-BR', en, translated), [], 'texts still in English');
  });

  it('says why a sign-in was refused in Portuguese, with the error code only as the code for support', async () => {
    await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
      await page.goto('/');
      await page.getByLabel('E-mail', { exact: true }).fill(parley.world.requesterA.email);
      await page.getByLabel('Senha', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Entrar', exact: true }).click();
      const notice = page.getByRole('alert');
      await notice.getByText('O e-mail ou a senha não estão corretos.').waitFor();
      assert.equal(await notice.locator('.notice-code').innerText(), 'Código para o suporte: AUTH_INVALID_CREDENTIALS');
      const visible = await page.locator('body').innerText();
      assert.equal(
        visible.split('AUTH_INVALID_CREDENTIALS').length - 1,
        1,
        'the code appears once, in the support detail',
      );
      assert.doesNotMatch(
        visible.replace('Código para o suporte: AUTH_INVALID_CREDENTIALS', ''),
        /AUTH_INVALID_CREDENTIALS|not right|Invalid/,
      );
    });
  });
});
