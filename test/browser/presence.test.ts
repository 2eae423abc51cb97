/**
 * Who else has a ticket open, and the traffic cop, in two browser sessions (two technicians of one team): B opens the
 * ticket, A sees "B is viewing"; B writes, "typing"; B leaves, gone. A writes a draft, B sends a message, A presses
 * Send: the confirmation shows B's message; "Review first" keeps the draft; "Send anyway" posts it. A works in
 * Portuguese in one pass (a message, then an internal note) and in Spanish (at 390 px wide) in the other.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createUser } from '../../src/domain/users/create-user.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { draftText, launchBrowser, newContext, signIn, startParley, type Parley } from './harness.ts';

const streamOpened = (page: Page) => page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');

interface Labels {
  message: string;
  send: string;
  viewing: string;
  typing: string;
  title: string;
  review: string;
  sendAnyway: string;
}

const PT: Labels = {
  message: 'Mensagem',
  send: 'Enviar',
  viewing: 'Tina Tech está vendo',
  typing: 'Tina Tech está escrevendo…',
  title: 'Chegou uma nova mensagem enquanto você escrevia',
  review: 'Revisar primeiro',
  sendAnyway: 'Enviar mesmo assim',
};
const ES: Labels = {
  message: 'Mensaje',
  send: 'Enviar',
  viewing: 'Tina Tech está viendo',
  typing: 'Tina Tech está escribiendo…',
  title: 'Ha llegado un mensaje nuevo mientras escribía',
  review: 'Revisar primero',
  sendAnyway: 'Enviar de todos modos',
};

describe('presence and the traffic cop in two browser sessions', () => {
  let parley: Parley;
  let browser: Browser;
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
    for (const [email, name, locale] of [
      ['paula@example.test', 'Paula Pereira', 'pt-BR'],
      ['elena@example.test', 'Elena Escribano', 'es-ES'],
    ] as const) {
      await createUser(parley.deps, CLI_ORIGIN, {
        role: 'technician',
        email,
        name,
        locale,
        password: TEST_PASSWORD,
        groupIds: [parley.world.groupA],
      });
    }
  });
  after(async () => {
    await browser?.close();
    await parley?.close();
  });

  async function pass(email: string, l: Labels, phone: boolean, note?: { tab: string; text: string; submit: string }) {
    const { world } = parley;
    const a = await newContext(browser, parley.baseUrl);
    const b = await newContext(browser, parley.baseUrl);
    const openTicket = async (page: Page, box: string) => {
      await page.getByRole('link', { name: world.ticketA.title }).click();
      await page.getByLabel(box, { exact: true }).waitFor();
    };
    try {
      if (phone) await a.page.setViewportSize({ width: 390, height: 844 });
      const aStream = streamOpened(a.page);
      await signIn(a.page, email);
      await openTicket(a.page, l.message);
      await aStream;
      const presence = a.page.getByTestId('presence');
      assert.equal((await presence.textContent())?.trim(), '', 'nobody else yet');

      // B (Tina, in English) opens the ticket, writes, leaves.
      await signIn(b.page, world.techA.email);
      await openTicket(b.page, 'Message');
      await presence.getByText(l.viewing, { exact: true }).waitFor();
      await b.page.getByLabel('Message', { exact: true }).fill('Half a thought');
      await presence.getByText(l.typing, { exact: true }).waitFor();
      await b.page.goto('/desk');
      await a.page.waitForFunction(() => document.querySelector('[data-testid="presence"]')?.textContent === '');

      // A starts a draft; then B answers the requester.
      const draft = `Draft from ${email}: restart the printer.`;
      await a.page.getByLabel(l.message, { exact: true }).fill(draft);
      await openTicket(b.page, 'Message');
      const fromB = `Tina for ${email}: the technician is on the way.`;
      await b.page.getByLabel('Message', { exact: true }).fill(fromB);
      await b.page.getByRole('button', { name: 'Send', exact: true }).click();
      await a.page.getByTestId('message').filter({ hasText: fromB }).waitFor();

      // A presses Send: asked first, with B's message shown.
      await a.page.getByRole('button', { name: l.send, exact: true }).click();
      const dialog = a.page.getByRole('dialog', { name: l.title });
      await dialog.waitFor();
      await dialog.getByText(fromB).waitFor();
      await dialog.getByRole('button', { name: l.review, exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      assert.equal(await draftText(a.page.getByLabel(l.message, { exact: true })), draft, 'the draft is kept');
      assert.equal(await a.page.getByTestId('message').filter({ hasText: draft }).count(), 0, 'nothing was sent');

      // Send again: asked again; "Send anyway" posts it.
      await a.page.getByRole('button', { name: l.send, exact: true }).click();
      await dialog.getByRole('button', { name: l.sendAnyway, exact: true }).click();
      await a.page.getByTestId('message').filter({ hasText: draft }).waitFor();
      assert.equal(await draftText(a.page.getByLabel(l.message, { exact: true })), '');
      if (note) {
        // An internal note is asked about the same way.
        await a.page.getByRole('tab', { name: note.tab, exact: true }).click();
        const noteDraft = `Note from ${email}: call the vendor.`;
        await a.page.getByLabel(note.text, { exact: true }).fill(noteDraft);
        const again = `Tina again for ${email}: parts ordered.`;
        await b.page.getByLabel('Message', { exact: true }).fill(again);
        await b.page.getByRole('button', { name: 'Send', exact: true }).click();
        await a.page.getByTestId('message').filter({ hasText: again }).waitFor();
        await a.page.getByRole('button', { name: note.submit, exact: true }).click();
        await dialog.getByText(again).waitFor();
        await dialog.getByRole('button', { name: l.sendAnyway, exact: true }).click();
        await a.page.getByTestId('message').filter({ hasText: noteDraft }).waitFor();
      }
      if (phone) {
        const overflow = await a.page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
        assert.equal(overflow, false, 'nothing wider than the phone');
      }
      assert.deepEqual(a.problems, []);
      assert.deepEqual(b.problems, []);
      // Both leave the ticket (as a person does), so the next pass starts with nobody on it: a closed browser would
      // leave its "viewing" report to expire (45 s) instead.
      await a.page.goto('/desk');
      await b.page.goto('/desk');
    } finally {
      await a.context.close();
      await b.context.close();
    }
  }

  it('in Portuguese, for a message and for an internal note', () =>
    pass('paula@example.test', PT, false, { tab: 'Nota interna', text: 'Nota', submit: 'Adicionar nota' }));
  it('in Spanish, 390 px wide', () => pass('elena@example.test', ES, true));
});
