/**
 * "Show trimmed text" in Chromium: a reply that came by mail shows only the reply; a person opens what was trimmed
 * (the quoted history) under it, in the desk and, on their own message, in the portal, also on a 390 px phone.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { launchBrowser, signIn, startParley, withPage, type Parley } from './harness.ts';

let parley: Parley;
let browser: Browser;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const { deps, world, storage } = parley;
  const asked = await postMessage(deps, world.techA, {
    ticketNumber: world.ticketA.number,
    text: 'Could you restart the printer?',
    source: 'desk',
  });
  const [notification] = (await storage.outbox.outboxOfMessages([asked.message.id])).filter(
    (e) => e.toAddress === world.requesterA.email,
  );
  assert.ok(notification?.replyTo);
  // The requester answers the notification from their mail program, to its signed reply address.
  const raw = eml('gmail-web-en', {
    FROM: world.requesterA.email,
    FROM_NAME: world.requesterA.name,
    TO: notification.replyTo,
    MESSAGE_ID: `<trimmed-browser.${Date.now()}@mail.example.org>`,
    IN_REPLY_TO: notification.messageIdHeader,
    REFERENCES: `${notification.threadId} ${notification.messageIdHeader}`,
    TICKET: world.ticketA.number,
  });
  const id = await receiveMail(deps, {
    raw,
    sha256: createHash('sha256').update(raw).digest('hex'),
    envelopeFrom: world.requesterA.email,
    envelopeTo: [notification.replyTo],
    remoteAddress: '127.0.0.1',
  });
  const done = await processInboundMail(
    { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 100, maxAttempts: 5 } },
    id,
  );
  assert.equal(done?.status, 'posted');
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

/** Opens the trimmed text under the reply by mail and closes it again. */
async function toggleTrimmed(page: Page, names: { show: string; hide: string }) {
  // The reply came in HTML: its words are in its sandboxed frame.
  const reply = page.locator('[data-testid="message"]').filter({ has: page.locator('iframe.msg-frame') });
  await reply.frameLocator('iframe.msg-frame').getByText('Thanks, it works again after the restart.').waitFor();
  const quoted = reply.getByText('Tina Tech wrote: Could you restart the printer?');
  assert.equal(await quoted.isVisible(), false, 'the quote is trimmed from the message');
  const show = reply.getByRole('button', { name: names.show });
  assert.equal(await show.getAttribute('aria-expanded'), 'false');
  await show.click();
  await quoted.waitFor({ state: 'visible' });
  const hide = reply.getByRole('button', { name: names.hide });
  assert.equal(await hide.getAttribute('aria-expanded'), 'true');
  await hide.click();
  await quoted.waitFor({ state: 'hidden' });
}

describe('show trimmed text', () => {
  it('lets the technician open what was trimmed from a reply by mail, in the desk', async () => {
    await withPage(browser, parley.baseUrl, 'en-US', async (page) => {
      await signIn(page, parley.world.techA.email);
      await page.goto(`/desk/tickets/${parley.world.ticketA.number}`);
      await toggleTrimmed(page, { show: 'Show trimmed text', hide: 'Hide trimmed text' });
      // A message written in the desk has nothing trimmed, so no control.
      const own = page.locator('[data-testid="message"]').filter({ hasText: 'Could you restart the printer?' }).first();
      assert.equal(await own.locator('[data-testid="trimmed"]').count(), 0);
    });
  });

  it('lets the requester open it on their own message in the portal, in Portuguese, on a 390 px phone', async () => {
    const context = await browser.newContext({
      baseURL: parley.baseUrl,
      locale: 'pt-BR',
      timezoneId: 'UTC',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    context.setDefaultTimeout(10_000);
    try {
      const page = await context.newPage();
      const errors: string[] = [];
      page.on('pageerror', (error) => errors.push(error.message));
      await signIn(page, parley.world.requesterA.email, { email: 'E-mail', password: 'Senha', submit: 'Entrar' });
      await page.goto(`/portal/tickets/${parley.world.ticketA.number}`);
      await toggleTrimmed(page, { show: 'Mostrar texto removido', hide: 'Ocultar texto removido' });
      await page.locator('[data-testid="trimmed"] button').click();
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the page is ${width} px wide on a 390 px screen`);
      assert.deepEqual(errors, []);
    } finally {
      await context.close();
    }
  });
});
