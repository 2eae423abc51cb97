/**
 * The web app in a real browser (Debian's Chromium through playwright-core) against a real Parley on loopback:
 * sign-in for each role, the portal and the desk, internal notes kept out of the portal, the three languages,
 * the template editor refusing an unknown key, parameter 417 set from the admin, messaging unavailable, and the
 * serving rules (SPA fallback, CSP, no path traversal). Each screen is saved to test-artifacts/screenshots/.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { getParameter } from '../../src/domain/parameters/get-parameter.ts';
import { readParameters, smtpAccountOf } from '../../src/domain/parameters/parameters.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { setParameter } from '../../src/domain/parameters/set-parameter.ts';
import { DEFAULT_TEMPLATES } from '../../src/domain/templates/default-templates.ts';
import { createTemplate } from '../../src/domain/templates/create-template.ts';
import { openTicket } from '../../src/domain/tickets/open-ticket.ts';
import { loadActor } from '../../src/domain/users/authentication.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import type { Actor } from '../../src/domain/users/user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import {
  launchBrowser,
  newContext,
  screenshot,
  signIn,
  startParley,
  type Parley,
  withPage as withPageIn,
} from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

let parley: Parley;
let browser: Browser;
let maria: Actor;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const { deps, world } = parley;
  // An English-speaking requester (buildWorld's speak Portuguese and Spanish), with a ticket of her own.
  maria = (await loadActor(
    deps.storage,
    (
      await createUser(deps, CLI_ORIGIN, {
        role: 'requester',
        email: 'maria@example.test',
        name: 'Maria Requester',
        password: TEST_PASSWORD,
        locale: 'en-US',
        timeZone: 'Europe/London',
      })
    ).id,
  ))!;
  await openTicket(deps, maria, {
    title: 'VPN disconnects every few minutes',
    description: 'Since Monday the VPN drops about every five minutes.\nI work from home.',
    groupId: world.groupA,
    demandType: 'Incident',
    category: 'Connectivity',
  });
  await openTicket(deps, maria, {
    title: 'New monitor for my desk',
    description: 'The old one flickers.',
    groupId: world.groupA,
  });
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

/** Runs `body` in a fresh browser profile and fails on page errors or CSP violations. */
const withPage = (locale: string, body: (page: Page) => Promise<void>) =>
  withPageIn(browser, parley.baseUrl, locale, body);

const getSmtpPort = async () => smtpAccountOf(await readParameters(parley.storage)).port;
const mailsTo = (address: string) =>
  parley.catcher.list().filter((m) => m.to?.includes(address) || m.envelope.to.includes(address));

describe('serving the web app', () => {
  it('answers page paths with index.html under a strict CSP, files from the build, and JSON 404 for the API', async () => {
    const html = await fetch(`${parley.baseUrl}/portal/tickets/1`, { headers: { accept: 'text/html' } });
    assert.equal(html.status, 200);
    const csp = html.headers.get('content-security-policy') ?? '';
    assert.match(csp, /script-src 'self'(;|$)/);
    assert.match(csp, /object-src 'none'/);
    assert.match(csp, /frame-ancestors 'none'/);
    assert.doesNotMatch(csp, /script-src[^;]*unsafe/, 'never an inline script');
    assert.match(html.headers.get('cache-control') ?? '', /no-cache/);
    const body = await html.text();
    assert.match(body, /<div id="root"><\/div>/);
    assert.doesNotMatch(
      body.replace(/<script[^>]*src="[^"]+"[^>]*><\/script>/g, ''),
      /<script/i,
      'no inline script in index.html',
    );
    assert.doesNotMatch(body, /style=/i, 'no inline style in index.html');

    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(body)![1]!;
    const js = await fetch(`${parley.baseUrl}${asset}`);
    assert.equal(js.status, 200);
    assert.match(js.headers.get('content-type') ?? '', /javascript/);
    assert.match(js.headers.get('cache-control') ?? '', /immutable/);

    const api = await fetch(`${parley.baseUrl}/api/v1/nothing-here`, { headers: { accept: 'text/html' } });
    assert.equal(api.status, 404);
    assert.equal((await api.json()).code, 'ROUTE_NOT_FOUND');
    const plain = await fetch(`${parley.baseUrl}/no-such-file.txt`);
    assert.equal(plain.status, 404, 'a missing file that is not a page is a 404');

    for (const path of [
      '/..%2f..%2fpackage.json',
      '/assets/..%2f..%2f..%2fpackage.json',
      '/%2e%2e/%2e%2e/package.json',
      '/.gitignore',
    ]) {
      const r = await fetch(`${parley.baseUrl}${path}`);
      const text = await r.text();
      assert.ok(!text.includes('"devDependencies"'), `${path} leaked a file outside the build`);
    }
  });
});

describe('reloading a page', () => {
  it('keeps the app working when the browser revalidates the page it has (304 under the page policy)', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/users');
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      const revalidated = page.waitForResponse((r) => r.request().resourceType() === 'document');
      await page.reload();
      const response = await revalidated;
      assert.match(
        (await response.allHeaders())['content-security-policy'] ?? '',
        /script-src 'self'/,
        'the reloaded page keeps the page policy',
      );
      await page.getByRole('heading', { name: 'Users' }).waitFor();
      await page.goto('/admin/users');
      await page.getByRole('cell', { name: 'João Muñoz', exact: true }).waitFor();
    });
  });
});

describe('signing in', () => {
  it('takes a requester to the Smart Portal, with their requests, status and last activity', async () => {
    await withPage('en-US', async (page) => {
      await page.goto('/');
      await page.getByRole('heading', { name: 'Sign in' }).waitFor();
      await screenshot(page, 'sign-in');
      await page.getByLabel('Email', { exact: true }).fill('maria@example.test');
      await page.getByLabel('Password', { exact: true }).fill('not the password');
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByText('The email or the password is not right.').waitFor();

      await page.getByLabel('Password', { exact: true }).fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Sign in', exact: true }).click();
      await page.getByRole('heading', { name: 'My requests' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/portal');
      const rows = page.locator('tbody tr');
      await page
        .getByRole('row', { name: /VPN disconnects every few minutes/ })
        .getByText('New')
        .waitFor(); // the list has loaded
      assert.equal(await rows.count(), 2);
      await page
        .getByRole('row', { name: /VPN disconnects/ })
        .locator('time')
        .waitFor();
      await screenshot(page, 'portal-list');
    });
  });

  it('takes a technician to the Service Desk queue, using only the keyboard', async () => {
    await withPage('en-US', async (page) => {
      await page.goto('/');
      // The email field has the focus when the page opens.
      await page.waitForFunction(() => document.activeElement?.id === 'signin-email');
      await page.keyboard.type(parley.world.techA.email);
      await page.keyboard.press('Tab');
      await page.keyboard.type(TEST_PASSWORD);
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/desk');
      await page.getByRole('link', { name: 'VPN disconnects every few minutes' }).waitFor();
      assert.equal(
        await page.getByRole('link', { name: 'New laptop' }).count(),
        0,
        "group B's ticket is not in group A's queue",
      );
      assert.equal(
        await page.getByRole('link', { name: 'Administration' }).count(),
        0,
        'no admin area for a technician',
      );
      await screenshot(page, 'desk-queue');
    });
  });

  it('gives an administrator the desk and the admin area', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.getByRole('link', { name: 'New laptop' }).waitFor();
      await page.getByRole('link', { name: 'Administration' }).click();
      await page.getByRole('heading', { name: 'System parameters' }).waitFor();
      assert.equal(new URL(page.url()).pathname, '/admin/parameters');
    });
  });
});

describe('the portal and the desk', () => {
  it('posts a message from the portal, shows its mail state in plain words, and mails the group', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, 'maria@example.test');
      await page.getByRole('link', { name: 'VPN disconnects every few minutes' }).click();
      await page.getByRole('heading', { name: /VPN disconnects every few minutes/ }).waitFor();
      await page.getByRole('heading', { name: 'Message to the attendant' }).waitFor();
      const text = 'It happens on Wi-Fi and on cable. <b>not bold</b> & <img src=x>';
      await page.getByLabel('Message', { exact: true }).fill(text);
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const item = page.getByTestId('message').filter({ hasText: 'It happens on Wi-Fi and on cable.' });
      await item.waitFor();
      assert.equal(await item.locator('.msg-text').textContent(), text, 'user text is shown as text');
      assert.equal(await item.locator('.msg-text b, .msg-text img').count(), 0, 'no markup from user text');
      await item.getByText(/Email (sent to|to) Tina Tech/).waitFor();
      await waitUntil(() => mailsTo(parley.world.techA.email).length > 0, 'the notification reaches the catcher');
      await page.reload();
      await item.getByText('Email sent to Tina Tech').waitFor();
      await screenshot(page, 'portal-ticket');
    });
  });

  it('opens a new request from the portal, checking the form in the user’s language', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, 'maria@example.test');
      await page.getByRole('link', { name: 'New request' }).first().click();
      await page.getByRole('button', { name: 'Open request' }).click();
      assert.equal(await page.getByText('This field is required.').count(), 2);
      await page.getByText('Choose the team that should handle your request.').waitFor();
      await page.getByLabel('Title').fill('Keyboard missing keys');
      await page.getByLabel('Description').fill('The E key fell off.');
      await page.getByLabel('Team', { exact: true }).selectOption({ label: 'Group A' });
      await screenshot(page, 'portal-new');
      await page.getByRole('button', { name: 'Open request' }).click();
      await page.getByRole('heading', { name: /Keyboard missing keys/ }).waitFor();
      assert.match(new URL(page.url()).pathname, /^\/portal\/tickets\/\d+$/);
    });
  });

  it('lets a technician take a ticket, write to the requester with "Send email" checked, and add an internal note with time spent', async () => {
    const { world } = parley;
    await withPage('en-US', async (page) => {
      await signIn(page, world.techA.email);
      await page.getByRole('link', { name: world.ticketA.title }).click();
      await page.getByRole('heading', { name: new RegExp(world.ticketA.title) }).waitFor();

      await page.getByRole('button', { name: 'Take this ticket' }).click();
      await page.getByText('Saved.').waitFor();
      assert.equal(await page.getByLabel('Responsible').inputValue(), String(world.techA.id));
      await page.getByLabel('Status').selectOption('waiting');
      await page.getByRole('button', { name: 'Save changes' }).click();
      await page.locator('.page-subtitle').getByText('Waiting').waitFor();

      const sendEmail = page.getByRole('checkbox', { name: 'Send email' });
      assert.equal(await sendEmail.isChecked(), true, '"Send email" is checked by default');
      await page.getByLabel('Message', { exact: true }).fill('Olá João, could you send a photo of the jam?');
      await page.getByRole('button', { name: 'Send', exact: true }).click();
      const message = page.getByTestId('message').filter({ hasText: 'could you send a photo of the jam?' });
      await message.waitFor();
      await message.getByText(new RegExp(`Email (sent to|to) ${world.requesterA.email}`)).waitFor();

      await page.getByRole('tab', { name: 'Internal note' }).click();
      await page
        .getByLabel('Note', { exact: true })
        .fill('Checked the printer driver: version 2.1 is known to jam. SECRET-NOTE-7');
      await page.getByLabel('Time spent (minutes)').fill('25');
      await page.getByRole('button', { name: 'Add note' }).click();
      const note = page.getByTestId('message').filter({ hasText: 'SECRET-NOTE-7' });
      await note.waitFor();
      assert.equal(await note.getAttribute('data-internal'), 'true');
      await note.getByText('Internal note').waitFor();
      await note.getByText(/Time spent: 00:25/).waitFor();
      await waitUntil(() => mailsTo(world.requesterA.email).length > 0, 'the message reaches the requester');
      assert.ok(!parley.catcher.list().some((m) => m.subject.includes('SECRET-NOTE-7')), 'a note is never mailed');
      await page.reload();
      await message.getByText(`Email sent to ${world.requesterA.email}`).waitFor();
      await screenshot(page, 'desk-ticket');
    });
  });

  // threat: Internal notes never reach the portal, the requester's mail or the requester's API view.
  it('never shows an internal note in the portal, and shows a pt-BR requester the portal in Portuguese', async () => {
    const { world } = parley;
    await withPage('pt-BR', async (page) => {
      await page.goto('/');
      await page.getByLabel('E-mail', { exact: true }).fill(world.requesterA.email);
      await page.getByLabel('Senha', { exact: true }).fill(TEST_PASSWORD);
      await screenshot(page, 'sign-in-pt-BR');
      await page.getByRole('button', { name: 'Entrar', exact: true }).click();
      await page.getByRole('heading', { name: 'Minhas solicitações' }).waitFor();
      await page.getByRole('columnheader', { name: 'Última atividade' }).waitFor();
      await page.getByRole('link', { name: world.ticketA.title }).click();
      await page.getByRole('heading', { name: 'Mensagem para o atendente' }).waitFor();
      await page.getByText('could you send a photo of the jam?').waitFor();
      assert.equal(await page.getByText('SECRET-NOTE-7').count(), 0, 'the internal note is not on the page');
      assert.ok(!(await page.content()).includes('SECRET-NOTE-7'), 'nor anywhere in its markup');
      assert.equal(await page.locator('[data-internal="true"]').count(), 0);
      await page.locator('.page-subtitle').getByText('Aguardando').waitFor();
      await page.getByLabel('Mensagem', { exact: true }).fill('Segue a foto em anexo amanhã.');
      await page.getByRole('button', { name: 'Enviar', exact: true }).click();
      await page
        .getByTestId('message')
        .filter({ hasText: 'Segue a foto' })
        .getByText(/E-mail (enviado para|para) Tina Tech/)
        .waitFor();
      // Dates follow the language (pt-BR writes the month in Portuguese).
      const created = await page.locator('.msg-time time').first().textContent();
      assert.match(created ?? '', /de \w+\.? de \d{4}|\d{2}\/\d{2}\/\d{4}/);
      await screenshot(page, 'portal-ticket-pt-BR');
    });
  });

  it('signs in from a Spanish browser and switches the language in the page', async () => {
    const { world } = parley;
    await withPage('es-ES', async (page) => {
      await page.goto('/');
      await page.getByLabel('Correo electrónico', { exact: true }).fill(world.requesterB.email);
      await page.getByLabel('Contraseña', { exact: true }).fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Iniciar sesión', exact: true }).click();
      await page.getByRole('heading', { name: 'Mis solicitudes' }).waitFor();
      await page.getByRole('link', { name: world.ticketB.title }).click();
      await page.getByLabel('Mensaje', { exact: true }).waitFor();
      await page.getByRole('button', { name: 'Enviar', exact: true }).waitFor();
      await page.getByLabel('Idioma').selectOption('en-US');
      await page.getByLabel('Message', { exact: true }).waitFor();
      await page.getByRole('heading', { name: 'Message to the attendant' }).waitFor();
      assert.equal(await page.evaluate(() => document.documentElement.lang), 'en-US');
      // Signed in, the choice is the user's own (PATCH /me); switched back, it is Spanish again for the next tests.
      await waitUntil(
        async () => (await parley.storage.people.findUserById(world.requesterB.id))?.locale === 'en-US',
        'the language is saved',
      );
      await page.getByLabel('Language').selectOption('es-ES');
      await page.getByLabel('Mensaje', { exact: true }).waitFor();
      await waitUntil(
        async () => (await parley.storage.people.findUserById(world.requesterB.id))?.locale === 'es-ES',
        'the language is saved again',
      );
    });
  });
});

describe('the admin area', () => {
  it('refuses to save a template with an unknown key, naming the key, as you type and at save', async () => {
    const before = (await parley.storage.settings.listTemplates()).length;
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/templates');
      await page.getByRole('heading', { name: 'Email templates' }).waitFor();
      await page.getByRole('link', { name: 'Messaging (en-US)' }).waitFor();
      await screenshot(page, 'admin-templates');
      await page.getByRole('link', { name: 'New template' }).click();
      await page.getByLabel('Name', { exact: true }).fill('Broken template');
      await page.getByLabel('Subject', { exact: true }).fill('Ticket ${IDSERVICEREQUEST}');
      await page.getByLabel('HTML body').fill('<p>Hello ${NOMECONTATO},</p>\n<p>${COMMENTTEXT} ${NOT_A_KEY}</p>');
      await page.getByText('Unknown key ${NOT_A_KEY} at line 2, column 19.').waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'Not saved.' });
      await alert.waitFor();
      // The live preview of the draft is refused the same way.
      await page
        .locator('.preview')
        .getByText(/Unknown key \$\{NOT_A_KEY\}/)
        .waitFor();
      assert.match(
        (await alert.textContent()) ?? '',
        /Unknown key \$\{NOT_A_KEY\} in the HTML body at line 2, column 19\./,
      );
      assert.match((await alert.textContent()) ?? '', /TEMPLATE_UNKNOWN_KEY/);
      assert.equal((await parley.storage.settings.listTemplates()).length, before, 'nothing was stored');
      await screenshot(page, 'admin-template-unknown-key');

      // Fixed with a key from the palette: the live preview renders it against a real ticket.
      await page.getByLabel('HTML body').fill('<p style="color:#1d4ed8">Hello ${NOMECONTATO},</p>\n<p>');
      await page.getByRole('button', { name: 'Insert ${COMMENTTEXT}' }).click();
      assert.match(await page.getByLabel('HTML body').inputValue(), /<p>\$\{COMMENTTEXT\}$/);
      const frame = page.locator('iframe.mail-frame');
      await frame.waitFor();
      assert.equal(await frame.getAttribute('sandbox'), '', 'the preview runs in a sandbox without permissions');
      await page.frameLocator('iframe.mail-frame').getByText(/Hello/).waitFor();
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByRole('heading', { name: 'Template: Broken template' }).waitFor();
      assert.equal((await parley.storage.settings.listTemplates()).length, before + 1);
      await page.frameLocator('iframe.mail-frame').getByText(/Hello/).waitFor();
      await screenshot(page, 'admin-template-editor');
    });
  });

  it('sets parameter 417 to another active template from the parameters page', async () => {
    const { deps, world } = parley;
    const other = await createTemplate(deps, CLI_ORIGIN, DEFAULT_TEMPLATES['pt-BR']);
    // startParley moved the account to the catcher without authentication, which removed buildWorld's password.
    await setParameter(deps, CLI_ORIGIN, world.admin, 13, 'smtp-pass-Zx9!');
    await withPage('en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/parameters');
      const row = page.locator('#parameter-417');
      await row.getByText(`${world.templateId} — Messaging (en-US)`).waitFor();
      await page
        .getByRole('row', { name: /SMTP host/ })
        .getByText('127.0.0.1')
        .waitFor();
      // A stored SMTP password is said to be set, never shown.
      await page
        .getByRole('row', { name: /SMTP password/ })
        .getByText('Set (hidden)')
        .waitFor();
      assert.ok(!(await page.content()).includes('smtp-pass-Zx9!'));
      await screenshot(page, 'admin-parameters');
      await page.getByRole('button', { name: 'Edit parameter 417' }).click();
      await page.getByLabel('Value of parameter 417').selectOption({ label: `${other.id} — Mensageria (pt-BR)` });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Parameter 417 saved.').waitFor();
      await row.getByText(`${other.id} — Mensageria (pt-BR)`).waitFor();
      assert.equal((await getParameter(deps, 417, 'en-US')).value, other.id);
    });
  });

  it('shows the SMTP account with a write-only password, verifies it and sends a test mail to the catcher', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/smtp');
      assert.equal(await page.getByLabel('SMTP host').inputValue(), '127.0.0.1');
      assert.equal(await page.getByLabel('Password').inputValue(), '', 'the password is never filled in');
      await page.getByRole('button', { name: 'Verify connection' }).click();
      // No authentication is configured for the catcher: verify does not claim a sign-in.
      await page
        .getByText('The server answered. No sign-in took place: none is configured, or the server offers none.')
        .waitFor();
      await page.getByLabel('Send a test mail to').fill('someone@example.test');
      await page.getByRole('button', { name: 'Send test mail' }).click();
      await page.getByText(/The SMTP server accepted the test mail/).waitFor();
      assert.ok(mailsTo('someone@example.test').length > 0);
      await screenshot(page, 'admin-smtp');
    });
  });

  it('lists users, groups, the outbox with attempts, and the mails the catcher received', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.getByRole('link', { name: 'Administration' }).click();
      const nav = page.getByRole('navigation', { name: 'Administration' });

      await nav.getByRole('link', { name: 'Users' }).click();
      await page.getByRole('cell', { name: 'João Muñoz', exact: true }).waitFor();
      await page
        .getByRole('row', { name: /Bruno Técnico/ })
        .getByText('Português (Brasil)')
        .waitFor();
      await screenshot(page, 'admin-users');

      await nav.getByRole('link', { name: 'Groups' }).click();
      await page
        .getByRole('row', { name: /Group A/ })
        .getByText('Tina Tech')
        .waitFor();
      await screenshot(page, 'admin-groups');

      await nav.getByRole('link', { name: 'Outbox' }).click();
      await page.getByRole('heading', { name: 'Outbox' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      await page.getByLabel('State').selectOption('sent');
      await page.getByRole('cell', { name: 'Sent' }).first().waitFor();
      await screenshot(page, 'admin-outbox');
      await page.locator('tbody tr').first().getByRole('link').first().click();
      await page.getByRole('heading', { name: 'Delivery attempts' }).waitFor();
      await page.getByRole('cell', { name: 'sent' }).first().waitFor();
      await screenshot(page, 'admin-outbox-entry');

      await nav.getByRole('link', { name: 'Mail catcher' }).click();
      await page.getByRole('heading', { name: 'Mail catcher' }).waitFor();
      await page.locator('tbody tr').first().waitFor();
      await screenshot(page, 'admin-mail-catcher');
      await page.locator('tbody tr').first().getByRole('link').click();
      await page.getByRole('heading', { name: 'Headers' }).waitFor();
      await screenshot(page, 'admin-mail-catcher-mail');
    });
  });

  it('shows a deferred mail with its SMTP reply, and sends it again with "Retry now"', async () => {
    const { deps, world } = parley;
    const account = {
      host: '127.0.0.1',
      security: 'none' as const,
      auth: false,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    };
    const catcherPort = (await getSmtpPort())!;
    // Nothing listens on port 1: the attempt fails temporarily and the mail is deferred.
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, { ...account, port: 1 });
    const { notifications } = await postMessage(deps, world.techB, {
      ticketNumber: world.ticketB.number,
      text: 'Your laptop was ordered.',
      source: 'desk',
    });
    const id = notifications[0]!.id;
    await waitUntil(
      async () => (await parley.storage.outbox.findOutboxEntry(id))?.status === 'deferred',
      'the mail is deferred',
    );
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, { ...account, port: catcherPort });
    await withPage('en-US', async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/outbox?status=deferred');
      const row = page.getByRole('row', { name: new RegExp(`Open mail ${id}\\b`) });
      await row.getByText('Deferred').waitFor();
      await screenshot(page, 'admin-outbox-deferred');
      await page.getByRole('button', { name: `Retry now: mail ${id}` }).click();
      await page.getByText(`Mail ${id} is queued to be sent again.`).waitFor();
      await waitUntil(
        async () => (await parley.storage.outbox.findOutboxEntry(id))?.status === 'sent',
        'the retried mail is sent',
      );
      await page.goto(`/admin/outbox/${id}`);
      await page.getByRole('heading', { name: 'Delivery attempts' }).waitFor();
      assert.equal(await page.locator('tbody tr').count(), 2, 'both attempts are listed');
    });
  });

  it('keeps requesters and technicians out of the admin area', async () => {
    await withPage('en-US', async (page) => {
      await signIn(page, parley.world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/parameters');
      await page.getByRole('heading', { name: 'Not available to you' }).waitFor();
    });
  });
});

describe('messaging unavailable', () => {
  let off: Parley;
  before(async () => {
    off = await startParley({ messaging: false });
  });
  after(() => off?.close());

  async function inOff(body: (page: Page) => Promise<void>) {
    const { context, page, problems } = await newContext(browser, off.baseUrl, 'en-US');
    try {
      await body(page);
      assert.deepEqual(problems, []);
    } finally {
      await context.close();
    }
  }

  it('tells an administrator what to fix, with links to where it is fixed', async () => {
    await inOff(async (page) => {
      await signIn(page, off.world.admin.email);
      await page.getByRole('link', { name: off.world.ticketA.title }).click();
      const banner = page.getByTestId('messaging-unavailable');
      await banner.getByText('Parameter 417 (the messaging email template) is empty.').waitFor();
      await banner.getByText('No SMTP account is configured (the SMTP host is empty).').waitFor();
      await screenshot(page, 'messaging-unavailable-admin');
      await banner.getByRole('link', { name: 'Set parameter 417' }).click();
      await page.getByRole('heading', { name: 'System parameters' }).waitFor();
    });
  });

  it('tells a requester in a plain sentence, and does not offer to send', async () => {
    await inOff(async (page) => {
      await signIn(page, off.world.requesterB.email);
      await page.getByRole('link', { name: off.world.ticketB.title }).click();
      const banner = page.getByTestId('messaging-unavailable');
      await banner.waitFor();
      assert.doesNotMatch((await banner.textContent()) ?? '', /417|SMTP/, 'no configuration details for a requester');
      assert.equal(await page.getByRole('button', { name: 'Enviar', exact: true }).isDisabled(), true);
      await screenshot(page, 'messaging-unavailable-portal');
    });
  });
});
