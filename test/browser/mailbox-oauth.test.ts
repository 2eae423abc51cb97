/**
 * Connecting a team's mailbox with OAuth2 as an administrator does it, in Chromium, in Portuguese (issue 14, item 4),
 * against real servers on loopback: an authorization server (oauth2-mock-server) and an SMTP server that takes only
 * SASL XOAUTH2 with a live token of it. The mailbox is added with OAuth2 sign-in, its client set in the same dialog
 * (the secret never shown again), and "Conectar" takes the browser to the provider and back through Parley's
 * callback to the mailboxes page, which says it is connected (also after a reload) and sends a test mail signed in
 * with the grant. When the provider revokes the grant, the list says "reconnect needed" with the provider's reason;
 * "Reconectar" puts it right.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { signIn as apiSignIn } from '../support/http.ts';
import { startOAuthProvider, startXoauth2Sink } from '../support/oauth-provider.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

const PT = { email: 'E-mail', password: 'Senha', submit: 'Entrar' };
const SECRET = 'client-secret-of-the-app-9';

describe('connecting a mailbox with OAuth2', () => {
  let parley: Parley;
  let browser: Browser;
  let provider: Awaited<ReturnType<typeof startOAuthProvider>>;
  let sink: Awaited<ReturnType<typeof startXoauth2Sink>>;
  before(async () => {
    [parley, browser, provider] = await Promise.all([startParley(), launchBrowser(), startOAuthProvider()]);
    sink = await startXoauth2Sink(provider);
    // The provider sends the browser back to Parley's public address: here, the test's server.
    (parley.deps.site as { publicUrl: string }).publicUrl = parley.baseUrl;
  });
  after(async () => {
    await browser?.close();
    await sink?.close();
    await provider?.stop();
    await parley?.close();
  });

  it('adds a mailbox, connects it through the provider, sends with it, and reconnects a revoked grant', async () => {
    const { world, app } = parley;
    const admin = await apiSignIn(app, world.admin.email);
    assert.equal((await admin.patch('/api/v1/me', { locale: 'pt-BR' })).statusCode, 200);
    await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
      await signIn(page, world.admin.email, PT);
      await page.goto('/admin/mailboxes');
      await page.getByRole('heading', { name: 'Caixas de correio', level: 1 }).waitFor();

      await page.getByRole('button', { name: 'Adicionar uma caixa de correio' }).click();
      const dialog = page.getByRole('dialog', { name: 'Adicionar uma caixa de correio' });
      await dialog.getByLabel('Nome', { exact: true }).fill('Suporte 365');
      await dialog.getByLabel('Endereço do remetente').fill('suporte@example.test');
      await dialog.getByLabel('Servidor SMTP').fill('127.0.0.1');
      await dialog.getByLabel('Porta', { exact: true }).fill(String(sink.port));
      await dialog.getByLabel('Segurança da conexão').selectOption('none');
      await dialog.getByLabel('Autenticação').selectOption('oauth2');
      await dialog.getByRole('checkbox', { name: 'Group A' }).check();
      await dialog.getByRole('button', { name: 'Salvar', exact: true }).click();
      await page.getByText('A caixa de correio Suporte 365 foi adicionada.').waitFor();

      // The dialog stays open on the new mailbox, for its OAuth2 connection.
      const edit = page.getByRole('dialog', { name: 'Editar a caixa de correio Suporte 365' });
      const oauth = edit.getByRole('form', { name: 'Conexão OAuth2' });
      await edit.getByText('Ainda não configurada', { exact: false }).waitFor();
      await oauth.getByLabel('Provedor').selectOption('custom');
      await oauth.getByText(`${parley.baseUrl}/api/v1/admin/mailboxes/oauth/callback`).waitFor();
      await oauth.getByLabel('Endereço de autorização').fill(`${provider.issuer}/authorize`);
      await oauth.getByLabel('Endereço de token').fill(`${provider.issuer}/token`);
      await oauth.getByLabel('Escopos').fill('mail.send offline_access');
      await oauth.getByLabel('ID do cliente (aplicativo)').fill('parley-desk');
      await oauth.getByLabel('Segredo do cliente').fill(SECRET);
      await oauth.getByLabel('Conta da caixa de correio').fill('suporte@example.test');
      await oauth.getByRole('button', { name: 'Salvar configurações OAuth2' }).click();
      await oauth.getByText('As configurações OAuth2 foram salvas.').waitFor();
      await oauth.getByText('Há um segredo guardado').waitFor();
      assert.equal(await oauth.getByLabel('Segredo do cliente').inputValue(), '', 'the secret is not shown again');

      // Connect: to the provider (it answers at once) and back through Parley's callback to this page.
      provider.state.connectTtl = 60; // the first use refreshes the token
      provider.state.refreshTtl = 60; // and so does each later one
      await oauth.getByRole('button', { name: 'Conectar' }).click();
      await page.getByText('A caixa de correio Suporte 365 está conectada ao provedor.').waitFor();
      assert.equal(new URL(page.url()).search, '', 'the page address is clean again');
      const card = page.getByTestId('mailbox').filter({ hasText: 'Suporte 365' });
      await card.getByText('Conectada como suporte@example.test.').waitFor();

      // Come back later: still connected; a test mail goes out signed in with the grant.
      await page.reload();
      await card.getByText('Conectada como suporte@example.test.').waitFor();
      await card.getByRole('button', { name: 'Editar a caixa de correio Suporte 365' }).click();
      const again = page.getByRole('dialog', { name: 'Editar a caixa de correio Suporte 365' });
      await again.getByLabel('Enviar um e-mail de teste para').fill('someone@example.test');
      await again.getByRole('button', { name: 'Enviar e-mail de teste' }).click();
      await again.getByText('O servidor SMTP aceitou o e-mail de teste.', { exact: false }).waitFor();
      assert.equal(sink.received.length, 1);
      assert.equal(sink.received[0]!.from?.value[0]?.address, 'suporte@example.test');
      assert.deepEqual(sink.logins.at(-1), { user: 'suporte@example.test', accepted: true });
      await screenshot(page, 'admin-mailbox-oauth-pt-BR');

      // The provider revokes the grant: the next mail cannot refresh; the list says so, with the provider's reason.
      provider.state.revoked = true;
      await again.getByRole('button', { name: 'Enviar e-mail de teste' }).click();
      await again.getByText('A caixa de correio precisa ser conectada de novo ao provedor', { exact: false }).waitFor();
      await again.getByText('O provedor disse: invalid_grant: AADSTS50173', { exact: false }).waitFor();
      assert.equal(sink.received.length, 1, 'nothing sent with a revoked grant');
      await page.reload();
      await card.getByText('É preciso reconectar', { exact: false }).waitFor();
      await card.getByText('invalid_grant: AADSTS50173: the grant was revoked.', { exact: false }).waitFor();

      // Reconnect: connected again, and mail goes out.
      provider.state.revoked = false;
      await card.getByRole('button', { name: 'Editar a caixa de correio Suporte 365' }).click();
      await page
        .getByRole('dialog', { name: 'Editar a caixa de correio Suporte 365' })
        .getByRole('button', { name: 'Reconectar' })
        .click();
      await page.getByText('A caixa de correio Suporte 365 está conectada ao provedor.').waitFor();
      await card.getByText('Conectada como suporte@example.test.').waitFor();
      const sent = await admin.post(
        `/api/v1/admin/mailboxes/${(await admin.get('/api/v1/admin/mailboxes')).json().items[0].id}/test`,
        {
          to: 'someone@example.test',
        },
      );
      assert.equal(sent.statusCode, 200, sent.body);
      assert.equal(sink.received.length, 2);

      const html = await page.content();
      assert.ok(!html.includes(SECRET), 'the client secret is not in the page');
      for (const token of provider.state.issued) assert.ok(!html.includes(token), 'no token in the page');

      await page.setViewportSize({ width: 390, height: 844 });
      const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
      assert.ok(overflow <= 0, `no sideways scrolling at 390 px (${overflow} px)`);
    });
  });

  it('says why a connection failed when the provider refused it, and stores nothing', async () => {
    const { world, app } = parley;
    const admin = await apiSignIn(app, world.admin.email);
    const created = await admin.post('/api/v1/admin/mailboxes', {
      name: 'Vendas',
      fromAddress: 'vendas@example.test',
      smtpHost: '127.0.0.1',
      smtpPort: sink.port,
      smtpSecurity: 'none',
      smtpAuth: 'oauth2',
    });
    assert.equal(created.statusCode, 201, created.body);
    const id = created.json().id as number;
    const set = await admin.put(`/api/v1/admin/mailboxes/${id}/oauth`, {
      provider: 'custom',
      clientId: 'parley-desk',
      authorizeUrl: `${provider.issuer}/authorize`,
      tokenUrl: `${provider.issuer}/token`,
      scopes: 'mail.send offline_access',
      login: 'vendas@example.test',
    });
    assert.equal(set.statusCode, 200, set.body);
    provider.state.grantScope = 'offline_access'; // the permission was left out at consent
    try {
      await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
        await signIn(page, world.admin.email, PT);
        await page.goto('/admin/mailboxes');
        const card = page.getByTestId('mailbox').filter({ hasText: 'Vendas' });
        await card.getByRole('button', { name: 'Editar a caixa de correio Vendas' }).click();
        await page
          .getByRole('dialog', { name: 'Editar a caixa de correio Vendas' })
          .getByRole('button', { name: 'Conectar' })
          .click();
        await page
          .getByRole('alert')
          .getByText(
            'Não foi possível conectar a caixa de correio Vendas. O provedor não concedeu mail.send: adicione essa permissão',
            { exact: false },
          )
          .waitFor();
        await card.getByText('Ainda não conectada.').waitFor();
      });
    } finally {
      provider.state.grantScope = null;
    }
    assert.equal((await admin.get(`/api/v1/admin/mailboxes/${id}/oauth`)).json().state, 'not_connected');
  });
});
