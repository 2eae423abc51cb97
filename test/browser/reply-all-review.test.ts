/**
 * "Post as <copy>" in the browser: a reply-all from a ticket's copy, carrying the requester's reply address with an
 * unverified sender, is held; the review page says why in words naming the copy and offers "Post as <name>", which
 * posts it to the ticket as the copy's message. Once in English, once in Brazilian Portuguese.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { setTicketCopies } from '../../src/domain/tickets/set-ticket-copies.ts';
import { eml } from '../fixtures/eml/eml.ts';
import { launchBrowser, signIn, startParley, type Parley, withPage as withPageIn } from './harness.ts';

let parley: Parley;
let browser: Browser;
let counter = 0;
const NINA = { email: 'nina@partner.example', name: 'Nina Copy' };

/** Nina's reply-all to the requester's notification (no sender verification configured: unverified). */
async function replyAll(text: string): Promise<InboundMail> {
  const { deps, world, storage } = parley;
  const sent = await postMessage(deps, world.techA, {
    ticketNumber: world.ticketA.number,
    text: `Could you check? (${text})`,
    source: 'desk',
  });
  const notification = (await storage.outbox.outboxOfMessages([sent.message.id])).find(
    (e) => e.toAddress === world.requesterA.email,
  )!;
  const raw = eml('reply-all-en', {
    AUTH_RESULTS: 'mx.untrusted.test; dmarc=none header.from=partner.example',
    FROM: NINA.email,
    FROM_NAME: NINA.name,
    TO: notification.replyTo!,
    CC: `${world.requesterA.name} <${world.requesterA.email}>`,
    MESSAGE_ID: `<ra${Date.now()}.${++counter}@partner.example>`,
    IN_REPLY_TO: notification.messageIdHeader,
    REFERENCES: `${notification.threadId ?? ''} ${notification.messageIdHeader}`.trim(),
    TICKET: world.ticketA.number,
    TEXT: text,
  });
  const id = await receiveMail(deps, {
    raw,
    sha256: createHash('sha256').update(raw).digest('hex'),
    envelopeFrom: NINA.email,
    envelopeTo: [notification.replyTo!],
    remoteAddress: '127.0.0.1',
  });
  const done = await processInboundMail(
    { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
    id,
  );
  assert.deepEqual([done?.status, done?.reason], ['held', 'copy-unverified'], done?.reasonText ?? '');
  return done!;
}

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  await setTicketCopies(parley.deps, parley.world.techA, parley.world.ticketA.number, [NINA]);
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

const withPage = (body: (page: Page) => Promise<void>) => withPageIn(browser, parley.baseUrl, 'en-US', body);

async function postedAsNina(mailId: number) {
  const { storage, world } = parley;
  const mail = (await storage.inbound.findInboundMail(mailId))!;
  assert.equal(mail.status, 'posted');
  assert.equal(mail.resolvedById, world.techA.id);
  const message = (await storage.messages.listMessages(world.ticketA.id, true)).find((m) => m.id === mail.messageId);
  assert.equal(message?.authorId, (await storage.people.findUserByEmail(NINA.email))!.id);
}

describe('a held reply-all of a copy', () => {
  it('shows why, names the copy, and "Post as Nina Copy" posts it as hers (en-US)', async () => {
    const held = await replyAll('The printer on my floor jams too.');
    await withPage(async (page) => {
      await signIn(page, parley.world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto(`/desk/inbound/${held.id}`);
      await page
        .getByTestId('inbound-reason')
        .getByText(/A reply-all from Nina Copy, a copy of the ticket/)
        .waitFor();
      await page.getByRole('button', { name: 'Post as Nina Copy' }).click();
      await page.getByText(`The mail was attached to ticket #${parley.world.ticketA.number}.`).waitFor();
    });
    await postedAsNina(held.id);
  });

  it('the same in Brazilian Portuguese', async () => {
    const held = await replyAll('Aqui também trava.');
    await withPage(async (page) => {
      await signIn(page, parley.world.techA.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.getByLabel('Language').first().selectOption('pt-BR');
      await page.goto(`/desk/inbound/${held.id}`);
      await page
        .getByTestId('inbound-reason')
        .getByText(/Um responder a todos de Nina Copy, cópia do ticket/)
        .waitFor();
      await page.getByRole('button', { name: 'Publicar como Nina Copy' }).click();
      await page.getByText(`O e-mail foi anexado ao ticket #${parley.world.ticketA.number}.`).waitFor();
    });
    await postedAsNina(held.id);
  });
});
