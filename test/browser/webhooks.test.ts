/**
 * The webhooks page as an administrator uses it, in Chromium: a loopback address is refused with a sentence until
 * private addresses are allowed; the signing secret is shown once, copied, and never again (not in the page, not in
 * the API's answers); a message posted on a ticket reaches a `node:http` server the test starts on 127.0.0.1, signed
 * as docs/webhooks.md says; the delivery is listed with its attempt, and "send again" posts it again with the same
 * event id. Then the page in Portuguese and in Spanish.
 */
import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Browser } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage } from './harness.ts';

interface Received {
  eventId: string;
  signature: string;
  body: string;
}

let parley: Parley;
let browser: Browser;
let server: Server;
let hookUrl: string;
const received: Received[] = [];

/** docs/webhooks.md, "Verifying the signature", as a receiver would write it. */
function verifyParleySignature(secret: string, header: string, rawBody: string, toleranceSeconds = 300) {
  const parts = Object.fromEntries(header.split(',').map((p) => p.split('=', 2))) as Record<string, string>;
  const t = Number(parts.t);
  if (!Number.isInteger(t) || Math.abs(Date.now() / 1000 - t) > toleranceSeconds || !parts.v1) return false;
  const expected = createHmac('sha256', secret).update(`${t}.${rawBody}`).digest();
  const given = Buffer.from(parts.v1, 'hex');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  server = createServer((req, res) => {
    let body = '';
    req.setEncoding('utf8');
    req.on('data', (c: string) => (body += c));
    req.on('end', () => {
      received.push({
        eventId: String(req.headers['parley-event-id']),
        signature: String(req.headers['parley-signature']),
        body,
      });
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  hookUrl = `http://127.0.0.1:${(server.address() as { port: number }).port}/hook`;
});
after(async () => {
  await browser?.close();
  await parley?.close();
  server?.closeAllConnections();
  await new Promise<void>((done) => (server ? server.close(() => done()) : done()));
});

describe('the webhooks page', () => {
  it('registers a loopback endpoint once allowed, shows its secret once, lists a signed delivery and sends it again', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: parley.baseUrl });
      await signIn(page, parley.world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/parameters');
      await page.getByRole('link', { name: 'Webhooks', exact: true }).click();
      await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
      await page.getByText('No webhook endpoints yet.').waitFor();

      // A loopback address without "allow private addresses": refused with a sentence, nothing stored.
      const https = hookUrl.replace('http:', 'https:');
      await page.getByLabel('Address (URL)').fill(https);
      await page.getByLabel('Description').fill('Tracker');
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      await page
        .getByText('The address is a loopback or private address; allow private addresses for this endpoint to use it.')
        .waitFor();
      assert.deepEqual(await parley.storage.webhooks.listWebhookEndpoints(), []);

      // Allowed (the warning says what that means), over plain HTTP: registered, and its secret shown this once.
      await page.getByLabel('Address (URL)').fill(hookUrl);
      // Every event is offered by its name, all chosen at first: this endpoint takes messages only.
      for (const name of [
        'Ticket opened',
        'Ticket changed (status, team, responsible, copies)',
        'Mail sent',
        'Mail deferred (to be tried again)',
        'Mail failed',
        'Mail bounced',
        'Inbound mail held for review',
      ])
        await page.getByLabel(name, { exact: true }).uncheck();
      await page.getByLabel('Allow private addresses').check();
      await page.locator('.notice-warn', { hasText: 'Only for a receiver inside your own network' }).waitFor();
      await page.getByRole('button', { name: 'Add endpoint' }).click();
      const dialog = page.getByRole('dialog');
      await dialog.getByText('Parley shows it this once and never again.', { exact: false }).waitFor();
      const secret = await dialog.locator('#webhook-secret').inputValue();
      assert.match(secret, /^whsec_/);
      await dialog.getByRole('button', { name: 'Copy' }).click();
      await dialog.getByText('Copied.').waitFor();
      assert.equal(await page.evaluate('navigator.clipboard.readText()'), secret);
      await screenshot(page, 'admin-webhook-secret');
      await dialog.getByRole('button', { name: 'I have copied it' }).click();
      await page.getByText(`Endpoint ${hookUrl} was added.`).waitFor();
      const row = page.getByTestId('webhook-row');
      await row.getByText('Message posted (or internal note)', { exact: true }).waitFor();
      assert.ok(!(await page.content()).includes(secret), 'the secret is gone from the page');

      // Never again: not in the list, not in the audit log, not after reloading.
      for (const path of ['/api/v1/admin/webhooks', '/api/v1/admin/audit']) {
        const answer = await page.request.get(path);
        assert.equal(answer.status(), 200);
        assert.ok(!(await answer.text()).includes(secret.slice(6)), `${path} does not return the secret`);
      }
      await page.reload();
      await row.waitFor();
      assert.ok(!(await page.content()).includes(secret.slice(6)));

      // A message on a ticket: posted to the server, signed with the secret as the documentation says.
      await postMessage(parley.deps, parley.world.techA, {
        ticketNumber: parley.world.ticketA.number,
        text: 'We ordered a new roller.',
        source: 'desk',
      });
      await waitUntil(() => received.length === 1, 'the delivery is received');
      const first = received[0]!;
      assert.ok(verifyParleySignature(secret, first.signature, first.body), 'the signature verifies');
      assert.ok(!verifyParleySignature('whsec_wrong', first.signature, first.body));
      const event = JSON.parse(first.body) as { id: string; type: string; data: { message: { text: string } } };
      assert.equal(event.type, 'message.created');
      assert.equal(event.id, first.eventId);
      assert.equal(event.data.message.text, 'We ordered a new roller.');
      const [endpoint] = await parley.storage.webhooks.listWebhookEndpoints();
      const delivered = async () =>
        (await parley.storage.webhooks.listWebhookDeliveries({ endpointId: endpoint!.id }, { cursor: null, limit: 5 }))
          .items[0];
      await waitUntil(async () => (await delivered())?.status === 'delivered', 'the attempt is recorded');

      // The list says how the last delivery went; its page lists it with its attempt.
      await page.reload();
      await row.getByText('Delivered').waitFor();
      await page.getByRole('link', { name: `Deliveries of ${hookUrl}` }).click();
      await page.getByRole('heading', { name: 'Webhook deliveries' }).waitFor();
      const delivery = page.getByTestId('webhook-delivery');
      await delivery.getByText('Delivered').waitFor();
      await delivery.getByText(first.eventId).waitFor();
      const id = (await delivered())!.id;
      await page.getByRole('button', { name: `Attempts of delivery ${id}` }).click();
      const attempts = page.getByTestId('webhook-attempt');
      await attempts.first().getByText('HTTP 204').waitFor();
      assert.match(await attempts.first().innerText(), /\d+ ms/);
      assert.equal(await attempts.count(), 1);

      // "Send again": posted again with the same event id, and the page lists the second attempt.
      await page.getByRole('button', { name: `Send again: delivery ${id}` }).click();
      await page.getByText(`Delivery ${id} will be sent again now, with the same event id.`).waitFor();
      await waitUntil(() => received.length === 2, 'the delivery is received again');
      assert.equal(received[1]!.eventId, first.eventId);
      assert.equal(received[1]!.body, first.body);
      assert.ok(verifyParleySignature(secret, received[1]!.signature, received[1]!.body));
      await waitUntil(
        async () => (await parley.storage.webhooks.findWebhookDelivery(id))?.attempts.length === 2,
        'the second attempt is recorded',
      );
      await page.getByRole('button', { name: 'Refresh' }).click();
      await waitUntil(async () => (await attempts.count()) === 2, 'the page lists both attempts');
      await screenshot(page, 'admin-webhook-deliveries');
    });
  });

  for (const [locale, names] of [
    [
      'pt-BR',
      {
        email: 'E-mail',
        password: 'Senha',
        submit: 'Entrar',
        url: 'Endereço (URL)',
        allow: 'Permitir endereços privados',
        publicOnly: 'Somente eventos públicos',
        event: 'Mensagem publicada (ou nota interna)',
        create: 'Adicionar endpoint',
        refused: 'O endereço é local ou privado; permita endereços privados para este endpoint para usá-lo.',
        deliveries: 'Entregas',
        sendAgain: 'Enviar de novo',
      },
    ],
    [
      'es-ES',
      {
        email: 'Correo electrónico',
        password: 'Contraseña',
        submit: 'Iniciar sesión',
        url: 'Dirección (URL)',
        allow: 'Permitir direcciones privadas',
        publicOnly: 'Solo eventos públicos',
        event: 'Mensaje publicado (o nota interna)',
        create: 'Añadir endpoint',
        refused: 'La dirección es local o privada; permita direcciones privadas para este endpoint para usarla.',
        deliveries: 'Entregas',
        sendAgain: 'Enviar de nuevo',
      },
    ],
  ] as const) {
    it(`${locale}: the labels, the events and the refusal are in the administrator's language`, async () => {
      const email = `admin.${locale.toLowerCase()}@example.test`;
      await createUser(parley.deps, CLI_ORIGIN, {
        role: 'admin',
        email,
        name: `Admin ${locale}`,
        password: TEST_PASSWORD,
        locale,
        groupIds: [],
      });
      await withPage(browser, parley.baseUrl, locale, async (page) => {
        await signIn(page, email, { email: names.email, password: names.password, submit: names.submit });
        await page.waitForURL(/\/desk/);
        await page.goto('/admin/webhooks');
        await page.getByRole('heading', { name: 'Webhooks', level: 1 }).waitFor();
        for (const label of [names.url, names.allow, names.publicOnly, names.event])
          await page.getByLabel(label, { exact: true }).first().waitFor();
        await page.getByLabel(names.url).fill('https://10.1.2.3/hook');
        await page.getByRole('button', { name: names.create }).click();
        await page.getByRole('alert').getByText(names.refused).waitFor();
        await page.locator('a', { hasText: names.deliveries }).first().click();
        await page.getByText(names.sendAgain, { exact: true }).first().waitFor();
        await screenshot(page, `admin-webhook-deliveries-${locale}`);
      });
    });
  }
});
