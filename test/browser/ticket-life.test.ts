/**
 * The life of a ticket in its thread, in a real browser against a real Parley: a technician changes the status and
 * the responsible in the desk and the thread tells it between the messages (after a reload too), in English and in
 * Portuguese; the requester's portal thread tells the status change only, also on a 390 px phone.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { launchBrowser, newContext, screenshot, signIn, startParley, type Parley } from './harness.ts';

const PT = { email: 'E-mail', password: 'Senha', submit: 'Entrar' };

/** The thread's entries in order: a message by its text, an event by its sentence (time left out). */
async function thread(page: Page): Promise<string[]> {
  return page
    .locator('ol.thread > li')
    .evaluateAll((items) =>
      items.map((li) =>
        li.getAttribute('data-testid') === 'thread-event'
          ? `event: ${li.querySelector('.thread-event-text')?.textContent?.trim()}`
          : `message: ${li.querySelector('.msg-text')?.textContent?.trim()}`,
      ),
    );
}

describe("a ticket's life in the web app", () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  it('a technician changes status and responsible; the desk thread tells it, after a reload too; the requester sees the status only', async () => {
    const { world, deps } = parley;
    const ticket = world.ticketA;
    await postMessage(deps, world.techA, { ticketNumber: ticket.number, text: 'Looking at it.', source: 'desk' });
    const desk = await newContext(browser, parley.baseUrl, 'en-US');
    try {
      await signIn(desk.page, world.techA.email);
      await desk.page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await desk.page.goto(`/desk/tickets/${ticket.number}`);
      await desk.page.getByText('Looking at it.').waitFor();
      await desk.page.getByLabel('Status', { exact: true }).selectOption('in_progress');
      await desk.page.getByLabel('Responsible', { exact: true }).selectOption(String(world.techA.id));
      await desk.page.getByRole('button', { name: 'Save changes', exact: true }).click();
      const expected = [
        'message: Looking at it.',
        'event: Tina Tech changed the status from New to In progress',
        'event: Tina Tech made Tina Tech responsible',
      ];
      await desk.page.getByText('Tina Tech made Tina Tech responsible').waitFor();
      assert.deepEqual(await thread(desk.page), expected);
      await screenshot(desk.page, 'desk-ticket-life');
      await desk.page.reload();
      await desk.page.getByText('Tina Tech made Tina Tech responsible').waitFor();
      assert.deepEqual(await thread(desk.page), expected);
      assert.deepEqual(desk.problems, []);
    } finally {
      await desk.context.close();
    }

    // The requester (João, Portuguese) on a phone: the status change between the messages, nothing about who is
    // responsible.
    const phone = await browser.newContext({
      baseURL: parley.baseUrl,
      locale: 'pt-BR',
      timezoneId: 'UTC',
      viewport: { width: 390, height: 844 },
      isMobile: true,
      hasTouch: true,
    });
    phone.setDefaultTimeout(10_000);
    try {
      const page = await phone.newPage();
      await signIn(page, world.requesterA.email, PT);
      await page.goto(`/portal/tickets/${ticket.number}`);
      await page.getByText('Tina Tech alterou o status de Novo para Em andamento').waitFor();
      assert.deepEqual(await thread(page), [
        'message: Looking at it.',
        'event: Tina Tech alterou o status de Novo para Em andamento',
      ]);
      assert.equal(await page.locator('[data-kind="responsible"]').count(), 0);
      const width = await page.evaluate(() => document.documentElement.scrollWidth);
      assert.ok(width <= 390, `the page is ${width} px wide on a 390 px screen`);
      await screenshot(page, 'portal-ticket-life-phone');
    } finally {
      await phone.close();
    }
  });

  it('in Portuguese: a technician sets a ticket waiting and hands it over; the thread says so in Portuguese', async () => {
    const { world } = parley;
    const ticket = world.ticketB;
    const desk = await newContext(browser, parley.baseUrl, 'pt-BR');
    try {
      await signIn(desk.page, world.techB.email, PT);
      await desk.page.getByRole('heading', { name: 'Fila da Central de Serviços' }).waitFor();
      await desk.page.goto(`/desk/tickets/${ticket.number}`);
      // Who made Bruno responsible when the ticket was set up.
      await desk.page.getByText('Alex Admin tornou Bruno Técnico responsável').waitFor();
      await desk.page.getByLabel('Situação', { exact: true }).selectOption('waiting');
      await desk.page.getByLabel('Responsável', { exact: true }).selectOption('');
      await desk.page.getByRole('button', { name: 'Salvar alterações', exact: true }).click();
      const expected = [
        'event: Alex Admin tornou Bruno Técnico responsável',
        'event: Bruno Técnico alterou o status de Novo para Aguardando',
        'event: Bruno Técnico retirou Bruno Técnico como responsável',
      ];
      await desk.page.getByText('Bruno Técnico retirou Bruno Técnico como responsável').waitFor();
      assert.deepEqual(await thread(desk.page), expected);
      await desk.page.reload();
      await desk.page.getByText('Bruno Técnico retirou Bruno Técnico como responsável').waitFor();
      assert.deepEqual(await thread(desk.page), expected);
      await screenshot(desk.page, 'desk-ticket-life-pt-BR');
      assert.deepEqual(desk.problems, []);
    } finally {
      await desk.context.close();
    }
  });
});
