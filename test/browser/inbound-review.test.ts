/**
 * "Needs review" in the browser: mails held by inbound processing (a stranger's reply to a notification of ticket A,
 * a stranger writing to the support address) are stored and processed in-process exactly as the receivers do; a
 * technician sees them in the desk (count in the navigation, reason in plain words, the ticket they seem to belong
 * to), opens one (reply text, the trimmed quote behind a toggle, the raw download), attaches it to the ticket (it
 * appears in the thread marked "by email") and discards the other after confirming. An administrator filters by
 * state in the administration, and a second decision on the same mail shows the API's 409 in words. Mail of no ticket
 * is counted for a technician only once an administrator names their team as the support mailbox's (parameter 9016).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import type { Browser, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import type { InboundMail } from '../../src/domain/inbound/inbound-mail.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { InboundIngestor } from '../../src/delivery/workers/inbound-ingestor.ts';
import { eml, mail } from '../fixtures/eml/eml.ts';
import { launchBrowser, screenshot, signIn, startParley, type Parley, withPage as withPageIn } from './harness.ts';

let parley: Parley;
let browser: Browser;
let counter = 0;
const newMessageId = () => `<m${Date.now()}.${++counter}@mail.example.org>`;

/** Stores and processes one mail as the SMTP/IMAP receivers do. */
async function deliver(raw: Buffer, to = 'desk@example.test'): Promise<InboundMail> {
  const inbound: InboundDeps = {
    ...parley.deps,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
  };
  const id = await receiveMail(parley.deps, {
    raw,
    sha256: createHash('sha256').update(raw).digest('hex'),
    envelopeFrom: 'bounce@mail.example.org',
    envelopeTo: [to],
    remoteAddress: '127.0.0.1',
  });
  const done = await processInboundMail(inbound, id);
  assert.ok(done);
  return done;
}

let strangerReply: InboundMail;
let unmatched: InboundMail;

before(async () => {
  [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
  const { deps, world, storage } = parley;
  // A notification to requester A on ticket A; a stranger answers it (with the quoted notification below).
  const sent = await postMessage(deps, world.techA, {
    ticketNumber: world.ticketA.number,
    text: 'Could you restart the printer?',
    source: 'desk',
  });
  const [notification] = await storage.outbox.outboxOfMessages([sent.message.id]);
  assert.ok(notification);
  strangerReply = await deliver(
    eml('gmail-web-en', {
      FROM: 'carol@partner.example',
      FROM_NAME: 'Carol Partner',
      TO: 'desk@example.test',
      MESSAGE_ID: newMessageId(),
      IN_REPLY_TO: notification.messageIdHeader,
      REFERENCES: `${notification.threadId ?? ''} ${notification.messageIdHeader}`.trim(),
      TICKET: world.ticketA.number,
    }),
  );
  assert.deepEqual(
    [strangerReply.status, strangerReply.reason, strangerReply.ticketId],
    ['held', 'unknown-sender', world.ticketA.number],
  );
  // Someone nobody knows writes to the support address about nothing the desk knows.
  unmatched = await deliver(
    mail(
      {
        From: 'Spam King <king@spam.example>',
        To: 'desk@example.test',
        Subject: 'Cheap printer toner!!!',
        'Message-ID': newMessageId(),
      },
      'Buy toner now. <script>alert(1)</script>',
    ),
  );
  assert.equal(unmatched.status, 'held');
  assert.equal(unmatched.ticketId, null);
});

after(async () => {
  await browser?.close();
  await parley?.close();
});

const withPage = (body: (page: Page) => Promise<void>, locale = 'en-US') =>
  withPageIn(browser, parley.baseUrl, locale, body);

describe('needs review (held inbound mail)', () => {
  // threat: A held mail naming ticket N → readable and attachable only by those who can see ticket N
  it('mail of no ticket is for administrators until one names the support mailbox’s team (parameter 9016); then its technicians count it too', async () => {
    const { world } = parley;
    const reviewLink = async (page: Page) => {
      const link = page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: /^Needs review/ });
      await link.waitFor();
      return link;
    };
    await withPage(async (page) => {
      await signIn(page, world.techA.email);
      // Only the stranger's reply to ticket A: the unmatched mail is not technician A's to see.
      await (await reviewLink(page)).getByText('Needs review (1)').waitFor();
      const hidden = await page.request.get(`/api/v1/inbound-mail/${unmatched.id}`);
      assert.equal(hidden.status(), 404);
    });
    await withPage(async (page) => {
      await signIn(page, world.admin.email);
      await page.getByRole('heading', { name: 'Service Desk queue' }).waitFor();
      await page.goto('/admin/parameters');
      const row = page.locator('#parameter-9016');
      await row.getByText('Not set').waitFor();
      await page.getByRole('button', { name: 'Edit parameter 9016' }).click();
      await page.getByLabel('Value of parameter 9016').selectOption({ label: `${world.groupA} — Group A` });
      await page.getByRole('button', { name: 'Save' }).click();
      await page.getByText('Parameter 9016 saved.').waitFor();
      await row.getByText(`${world.groupA} — Group A`).waitFor();
    });
    await withPage(async (page) => {
      await signIn(page, world.techA.email);
      await (await reviewLink(page)).getByText('Needs review (2)').waitFor();
    });
  });

  it('a technician attaches a held reply to its ticket (shown "by email") and discards another', async () => {
    const { world } = parley;
    await withPage(async (page) => {
      await signIn(page, world.techA.email);
      const nav = page.getByRole('navigation', { name: 'Main' });
      await nav.getByRole('link', { name: 'Needs review (2)' }).click();
      await page.getByRole('heading', { level: 1, name: 'Needs review' }).waitFor();
      const rows = page.getByTestId('inbound-row');
      await rows.first().waitFor();
      assert.equal(await rows.count(), 2);
      // Newest first: the unmatched mail, then the stranger's reply.
      const first = rows.nth(0);
      const second = rows.nth(1);
      assert.match(await first.innerText(), /Cheap printer toner/);
      assert.match(await first.innerText(), /The sender is not a user of this service desk\./);
      assert.match(await first.innerText(), /No ticket/);
      assert.match(await second.innerText(), /Carol Partner/);
      assert.match(await second.innerText(), /carol@partner\.example/);
      assert.match(await second.innerText(), /Seems to be #1/);
      await screenshot(page, 'desk-needs-review');

      // Open the stranger's reply: the text without the quote, the quote behind the toggle, the raw download.
      await second.getByRole('link', { name: /Open the mail/ }).click();
      await page
        .getByRole('heading', { level: 1, name: `Re: [#${world.ticketA.number}] New message: Printer jams` })
        .waitFor();
      assert.equal(
        await page.getByTestId('inbound-reason').innerText(),
        'The sender is not a user of this service desk.',
      );
      await page.getByText('Thanks, it works again after the restart.').waitFor();
      const toggle = page.getByRole('button', { name: 'Show trimmed text' });
      assert.equal(await toggle.getAttribute('aria-expanded'), 'false');
      assert.equal(await page.getByText('Tina Tech wrote: Could you restart the printer?').isVisible(), false);
      await toggle.click();
      await page.getByText(/Tina Tech wrote: Could you restart the printer\?/).waitFor();
      assert.equal(await page.getByRole('button', { name: 'Hide trimmed text' }).getAttribute('aria-expanded'), 'true');
      const download = page.getByRole('link', { name: 'Download the original (.eml)' });
      const href = await download.getAttribute('href');
      assert.equal(href, `/api/v1/inbound-mail/${strangerReply.id}/raw`);
      const raw = await page.request.get(href!);
      assert.equal(raw.status(), 200);
      assert.match(raw.headers()['content-disposition'] ?? '', /attachment/);
      assert.match(await raw.text(), /carol@partner\.example/);
      // The ticket number is prefilled with the hint; the note is internal by default.
      const number = page.getByLabel('Ticket number', { exact: true });
      assert.equal(await number.inputValue(), String(world.ticketA.number));
      assert.equal(await page.getByLabel('Internal note', { exact: true }).isChecked(), true);
      await screenshot(page, 'desk-needs-review-detail');

      // Keyboard only: focus the number, submit with Enter.
      await number.focus();
      await page.keyboard.press('Enter');
      await page.getByText(`The mail was attached to ticket #${world.ticketA.number}.`).waitFor();
      await page.getByText('Posted', { exact: true }).waitFor();
      assert.equal(
        await page.getByRole('button', { name: 'Attach to ticket' }).count(),
        0,
        'a decided mail has no actions',
      );
      await nav.getByRole('link', { name: 'Needs review (1)' }).waitFor();

      // The thread of ticket A: the stranger's words as Tina's internal note, marked "by email".
      await page.getByRole('link', { name: `Open ticket #${world.ticketA.number}` }).click();
      // The mail came in HTML: shown as such, in its sandboxed frame.
      const message = page.getByTestId('message').filter({ has: page.locator('iframe.msg-frame') });
      const frame = message.frameLocator('iframe.msg-frame');
      await frame.getByText('Thanks, it works again after the restart.').waitFor();
      assert.equal(await message.getAttribute('data-internal'), 'true');
      await message.getByTestId('by-email').waitFor();
      assert.equal(await message.getByTestId('by-email').innerText(), 'by email');
      assert.match(await frame.locator('body').innerText(), /Carol Partner <carol@partner\.example>/);
      await screenshot(page, 'desk-needs-review-attached');

      // Discard the other one, after confirming; the markup in its body stays text.
      await nav.getByRole('link', { name: 'Needs review (1)' }).click();
      await page.getByRole('link', { name: 'Open the mail “Cheap printer toner!!!”' }).click();
      await page.getByText('Buy toner now. <script>alert(1)</script>').waitFor();
      await page.getByRole('button', { name: 'Discard', exact: true }).click();
      const dialog = page.getByRole('dialog', { name: 'Discard this mail?' });
      await dialog.waitFor();
      await dialog.getByRole('button', { name: 'Cancel' }).click();
      await dialog.waitFor({ state: 'detached' });
      await page.getByRole('button', { name: 'Discard', exact: true }).click();
      await page
        .getByRole('dialog', { name: 'Discard this mail?' })
        .getByRole('button', { name: 'Discard the mail' })
        .click();
      await page.getByText('The mail was discarded.').waitFor();
      await page.getByText('Discarded', { exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Needs review', exact: true }).waitFor();
      await nav.getByRole('link', { name: 'Needs review', exact: true }).click();
      await page.getByText('No mail needs review.').waitFor();
    });
    assert.equal((await parley.storage.inbound.findInboundMail(unmatched.id))?.status, 'discarded');
    assert.equal((await parley.storage.inbound.findInboundMail(strangerReply.id))?.status, 'posted');
  });

  it('shows the API’s refusal when a mail was decided meanwhile, and lets an administrator filter by state (in Portuguese)', async () => {
    const { world } = parley;
    const late = await deliver(
      mail(
        {
          From: 'Dave <dave@elsewhere.example>',
          To: 'desk@example.test',
          Subject: 'Hello?',
          'Message-ID': newMessageId(),
        },
        'Is anyone there?',
      ),
    );
    assert.equal(late.status, 'held');
    await withPage(async (page) => {
      await signIn(page, world.admin.email);
      await page.goto(`/desk/inbound/${late.id}`);
      await page.getByLabel('Ticket number', { exact: true }).waitFor();
      // Someone else discards it while the page is open.
      const { discardInboundMail } = await import('../../src/domain/inbound/discard-inbound-mail.ts');
      await discardInboundMail(parley.deps, world.techA, late.id);
      await page.getByLabel('Ticket number', { exact: true }).fill(String(world.ticketA.number));
      await page.getByRole('button', { name: 'Attach to ticket' }).click();
      const alert = page.getByRole('alert').filter({ hasText: 'already been decided' });
      await alert.waitFor();
      assert.match(await alert.innerText(), /INBOUND_MAIL_NOT_PENDING/);

      // The administration's copy of the page, with the state filter.
      await page.goto('/admin/inbound');
      await page
        .getByRole('navigation', { name: 'Administration' })
        .getByRole('link', { name: 'Needs review' })
        .waitFor();
      await page.getByText('No mail needs review.').waitFor();
      await page.getByLabel('State', { exact: true }).selectOption('discarded');
      await page.getByTestId('inbound-row').nth(1).waitFor();
      assert.equal(await page.getByTestId('inbound-row').count(), 2);
      assert.match(await page.getByTestId('inbound-row').first().innerText(), /Hello\?[\s\S]*Discarded/);
      await page.getByLabel('State', { exact: true }).selectOption('all');
      await page.getByTestId('inbound-row').nth(2).waitFor();
      assert.match(await page.getByTestId('inbound-row').nth(2).innerText(), /Posted to #1[\s\S]*Posted/);
      await screenshot(page, 'admin-needs-review-all');

      // In Portuguese: the decisions in the user's language.
      await page.getByLabel('Language').first().selectOption('pt-BR');
      await page.getByRole('heading', { level: 1, name: 'Para revisar' }).waitFor();
      await page.getByText('Descartado por um revisor.').first().waitFor();
      await page.getByText('Anexado a um ticket por um revisor.').waitFor();
      await page.getByLabel('Situação', { exact: true }).selectOption('held');
      await page.getByText('Nenhum e-mail precisa de revisão.').waitFor();
    });
  });

  it('the count in the navigation goes up as soon as a mail is held, without reloading (the inbound event)', async () => {
    const { world } = parley;
    const ingestor = new InboundIngestor(
      { ...parley.deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
      { sweepMs: 600_000, concurrency: 1, log: { info() {}, warn() {}, error() {} } },
    );
    await withPage(async (page) => {
      // Once the live-update stream answered, no event is missed.
      const stream = page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/events');
      await signIn(page, world.techA.email);
      const nav = page.getByRole('navigation', { name: 'Main' });
      const link = nav.getByRole('link', { name: /^Needs review/ });
      await link.waitFor();
      await stream;
      const before = Number(/\((\d+)\)/.exec(await link.innerText())?.[1] ?? '0');
      await ingestor.start();
      const raw = mail(
        {
          From: 'Someone <someone@nowhere.example>',
          To: 'desk@example.test',
          Subject: 'Is this the help desk?',
          'Message-ID': newMessageId(),
        },
        'Hello?',
      );
      const id = await receiveMail(parley.deps, {
        raw,
        sha256: createHash('sha256').update(raw).digest('hex'),
        envelopeFrom: null,
        envelopeTo: ['desk@example.test'],
        remoteAddress: '127.0.0.1',
      });
      ingestor.enqueue(id);
      await ingestor.idle();
      // The page hears of it: the count's own refresh is a minute away, far past the wait's bound.
      await nav.getByRole('link', { name: `Needs review (${before + 1})` }).waitFor();
    });
    await ingestor.stop();
  });
});
