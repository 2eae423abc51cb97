/**
 * The account page in a real browser against a real Parley: a person opens it from their name in the top bar,
 * creates a read-only API token (shown once), sees it listed and revokes it; in Portuguese, a password change keeps
 * this browser signed in and signs the person out in another browser. Screens go to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { createApiToken } from '../../src/domain/users/create-api-token.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { launchBrowser, newContext, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

let parley: Parley;
let browser: Browser;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  for (const [email, name, locale] of [
    ['tomas@example.test', 'Tomás Tokens', 'en-US'],
    ['paula@example.test', 'Paula Senha', 'pt-BR'],
    ['rui@example.test', 'Rui Reset', 'en-US'],
  ] as const) {
    await createUser(parley.deps, CLI_ORIGIN, {
      role: 'technician',
      email,
      name,
      password: TEST_PASSWORD,
      locale,
      groupIds: [parley.world.groupA],
    });
  }
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

/** A request with a bearer token, from outside the browser (a script). */
async function withBearer(token: string, method: 'GET' | 'POST', path: string, body?: unknown): Promise<number> {
  const response = await fetch(`${parley.baseUrl}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  return response.status;
}

describe('the account page', () => {
  it('creates a read-only API token shown once, lists it and revokes it', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, 'tomas@example.test');
      await page.getByRole('link', { name: /^Your account: Tomás Tokens/ }).click();
      await page.getByRole('heading', { name: 'Your account', level: 1 }).waitFor();
      await page.getByText('You have no API tokens.').waitFor();

      await page.getByLabel('Name', { exact: true }).fill('Backup script');
      await page.getByLabel('Access', { exact: true }).selectOption({ label: 'Read only' });
      await page.getByLabel('Expires', { exact: true }).selectOption({ label: 'Never' });
      await page.getByRole('button', { name: 'Create token' }).click();
      await page.getByText('Token "Backup script" was created.').waitFor();
      const token = await page.getByLabel('Copy it now: it will not be shown again.').inputValue();
      assert.match(token, /^prl_/);
      await screenshot(page, 'account-token-created');

      const row = page.getByRole('row', { name: /Backup script/ });
      await row.getByRole('cell', { name: 'Read only' }).waitFor();
      await row.getByRole('cell', { name: 'Not used yet' }).waitFor();
      assert.equal(await withBearer(token, 'GET', '/me'), 200);
      assert.equal(await withBearer(token, 'POST', '/tickets', { title: 'No', description: 'Read only' }), 403);

      await row.getByRole('button', { name: 'Revoke token Backup script' }).click();
      const dialog = page.getByRole('dialog', { name: 'Revoke "Backup script"?' });
      await dialog.getByRole('button', { name: 'Revoke the token' }).click();
      await page.getByText('Token "Backup script" was revoked.').waitFor();
      await page.getByText('You have no API tokens.').waitFor();
      assert.equal(await withBearer(token, 'GET', '/me'), 401);
    });
  });

  // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
  it('in Portuguese, a password change keeps this browser signed in and signs the other browser out', async () => {
    const other = await newContext(browser, parley.baseUrl, 'pt-BR');
    try {
      await signIn(other.page, 'paula@example.test', { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await other.page.getByRole('link', { name: 'Sua conta: Paula Senha' }).waitFor();

      await withPage(browser, parley.baseUrl, 'pt-BR', async (page) => {
        await signIn(page, 'paula@example.test', { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
        await page.getByRole('link', { name: 'Sua conta: Paula Senha' }).click();
        await page.getByLabel('Senha atual', { exact: true }).fill('not my password');
        await page.getByLabel('Nova senha', { exact: true }).fill('uma senha nova e longa');
        await page.getByRole('button', { name: 'Trocar senha' }).click();
        await page.getByText('A senha atual não está correta.').waitFor();

        await page.getByLabel('Senha atual', { exact: true }).fill(TEST_PASSWORD);
        await page.getByLabel('Nova senha', { exact: true }).fill('uma senha nova e longa');
        await page.getByRole('button', { name: 'Trocar senha' }).click();
        await page
          .getByText('Sua senha foi trocada. Sessões encerradas em outros lugares: 1. Tokens de API revogados: 0.')
          .waitFor();
        await screenshot(page, 'account-password-changed-pt-BR');

        await page.reload();
        await page.getByRole('heading', { name: 'Sua conta', level: 1 }).waitFor();
      });

      await other.page.reload();
      await other.page.getByRole('button', { name: 'Entrar' }).waitFor();
      assert.equal(
        await other.page.getByRole('link', { name: 'Sua conta: Paula Senha' }).count(),
        0,
        'the other browser was signed out',
      );
    } finally {
      await other.context.close();
    }
  });

  // threat: A password change or reactivation → every older session and (unless kept on purpose) API token stops working.
  it("an administrator's new password for a user revokes their tokens unless kept on purpose", async () => {
    const { token: kept } = await createApiToken(parley.deps, CLI_ORIGIN, 'rui@example.test', 'kept');
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.goto('/admin/users');
      const edit = async (password: string, keepTokens: boolean) => {
        await page.getByRole('button', { name: 'Edit user Rui Reset' }).click();
        const dialog = page.getByRole('dialog', { name: 'Edit Rui Reset' });
        assert.equal(
          await dialog.getByRole('checkbox', { name: /Keep the user’s API tokens/ }).count(),
          0,
          'offered only with a new password',
        );
        await dialog.getByLabel('New password').fill(password);
        const keep = dialog.getByRole('checkbox', { name: /Keep the user’s API tokens/ });
        if (keepTokens) await keep.check();
        // The save's own answer (the notice of the previous save may still show).
        const saved = page.waitForResponse(
          (r) => /\/api\/v1\/admin\/users\/\d+$/.test(r.url()) && r.request().method() !== 'GET',
        );
        await dialog.getByRole('button', { name: 'Save' }).click();
        assert.equal((await saved).status(), 200);
        await page.getByText('Rui Reset was saved.').waitFor();
      };
      await edit('first new password', true);
      assert.equal(await withBearer(kept, 'GET', '/me'), 200, 'kept on purpose');
      await edit('second new password', false);
      assert.equal(await withBearer(kept, 'GET', '/me'), 401, 'revoked');
    });
  });
});
