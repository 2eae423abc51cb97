/**
 * The walk behind the language tests (i18n-coverage*.test.ts): every page of i18n-pages.ts, opened by its role, is
 * read in en-US and in another language; a text that is the same as an English text of the same page is reported,
 * unless it is a name (Parley, SMTP, ...), a word the languages share, or data the fixtures wrote (names, addresses,
 * ticket titles, mail subjects, the template as rendered).
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before } from 'node:test';
import { createServer, type Server } from 'node:http';
import type { Browser, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { previewTemplate } from '../../src/domain/templates/preview-template.ts';
import { editUser } from '../../src/domain/users/edit-user.ts';
import type { Locale } from '../../src/domain/locale.ts';
import { mail } from '../fixtures/eml/eml.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import { launchBrowser, startParley, type Parley, withPage } from './harness.ts';
import { I18N_PAGES, pageTexts, type Fixture, type PageSpec, type Role } from './i18n-pages.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { createCannedAnswer } from '../../src/domain/canned-answers/create-canned-answer.ts';
import { urlForAudit } from '../../src/domain/webhooks/url-for-audit.ts';

/** Names and words that are the same in English, Portuguese and Spanish. */
const SAME_IN_EVERY_LANGUAGE = [
  'Parley',
  'Smart Portal',
  'Service Desk',
  'SMTP',
  'IMAP',
  'STARTTLS',
  'TLS',
  'ID',
  'OK',
  'Message-ID',
  'Ticket',
  'CITSmart',
  '4biz',
  'PARLEY_MAIL_CATCHER',
  'INBOX',
  'Webhooks',
  'HTTP',
  'ms',
  'English (US)',
  'Português (Brasil)',
  'Español (España)',
];
const SAME_IN: Record<'pt-BR' | 'es-ES', string[]> = { 'pt-BR': ['Menu'], 'es-ES': ['No'] };

export let parley: Parley;
export let browser: Browser;
let fixture: Fixture;
let hooks: Server | undefined;
/** What the fixtures wrote: shown as written in every language. */
let data: string[];

/** Registers the hooks that start Parley and Chromium with the fixtures every page needs, and stop them. */
export function setUpWalk(): void {
  before(async () => {
    [parley, browser] = await Promise.all([startParley(), launchBrowser()]);
    const { deps, world, storage, catcher } = parley;

    // A webhook endpoint on a server that answers 200: its deliveries and their attempts on the admin's pages.
    hooks = createServer((req, res) => req.resume().on('end', () => res.writeHead(200).end()));
    await new Promise<void>((done) => hooks!.listen(0, '127.0.0.1', done));
    const hookUrl = `http://127.0.0.1:${(hooks.address() as { port: number }).port}/parley`;
    await createMailbox(deps, CLI_ORIGIN, {
      name: 'Acme',
      fromAddress: 'acme@example.test',
      fromName: 'Acme',
      smtpHost: '127.0.0.1',
      smtpPort: 1, // nothing listens there, whatever runs on this machine
      smtpSecurity: 'none',
      smtpAuth: 'none',
      groupIds: [world.groupB],
    });
    const { endpoint } = await createWebhookEndpoint(deps, CLI_ORIGIN, {
      url: hookUrl,
      description: 'Tracker',
      events: ['message.created'],
      publicOnly: true,
      active: true,
      allowPrivate: true,
    });

    // A sent mail: requester A writes, the group is told through the catcher.
    const sent = await postMessage(deps, world.requesterA, {
      ticketNumber: world.ticketA.number,
      text: 'The printer still jams on tray 2.',
      source: 'portal',
    });
    const sentMailId = sent.notifications[0]!.id;
    await waitUntil(
      async () => (await storage.outbox.findOutboxEntry(sentMailId))?.status === 'sent',
      'the mail is sent',
    );
    await postMessage(deps, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'Internal: ordered a new roller.',
      source: 'desk',
      internal: true,
      timeSpentMinutes: 15,
    });

    // A deferred mail: nothing listens on port 1, and the account stays so, so it stays deferred (and the SMTP page's
    // checks have a failure to tell).
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
      host: '127.0.0.1',
      port: 1,
      security: 'none',
      auth: false,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
    const deferred = await postMessage(deps, world.techA, {
      ticketNumber: world.ticketA.number,
      text: 'Could you send a photo of the jam?',
      source: 'desk',
    });
    const deferredMailId = deferred.notifications[0]!.id;
    await waitUntil(
      async () => (await storage.outbox.findOutboxEntry(deferredMailId))?.status === 'deferred',
      'the mail is deferred',
    );

    // A mail held for review: someone nobody knows answers ticket A (so its technician may review it).
    const raw = mail(
      {
        From: 'Spam King <king@spam.example>',
        To: 'desk@example.test',
        Subject: `Re: [#${world.ticketA.number}] Cheap printer toner`,
        'Message-ID': '<toner.1@spam.example>',
      },
      'Buy toner now.',
    );
    const heldId = await receiveMail(deps, {
      raw,
      sha256: createHash('sha256').update(raw).digest('hex'),
      envelopeFrom: 'king@spam.example',
      envelopeTo: ['desk@example.test'],
      remoteAddress: '127.0.0.1',
    });
    const held = await processInboundMail(
      { ...deps, mailParser: new MailparserMailParser(), policy: { perSenderPerMinute: 1000, maxAttempts: 5 } },
      heldId,
    );
    assert.equal(held?.status, 'held');

    // Canned answers: one of group A, one of technician A's own.
    const answers = [
      await createCannedAnswer(deps, CLI_ORIGIN, world.admin, {
        name: 'Printer: restart',
        groupId: world.groupA,
        variants: [
          { locale: 'en-US', text: 'Hello ${REQUESTERNAME}, please restart the printer.' },
          { locale: 'pt-BR', text: 'Olá ${REQUESTERNAME}, reinicie a impressora.' },
        ],
      }),
      await createCannedAnswer(deps, CLI_ORIGIN, world.techA, {
        name: 'Sign-off',
        variants: [{ locale: 'en-US', text: 'Best regards, ${USERNAME}' }],
      }),
    ];

    const webhookDeliveries = await waitUntil(async () => {
      const page = await storage.webhooks.listWebhookDeliveries({}, { cursor: null, limit: 100 });
      return page.items.length > 0 && page.items.every((d) => d.status === 'delivered') ? page.items : null;
    }, 'the webhook deliveries are delivered');
    const webhookAttempts = (
      await Promise.all(webhookDeliveries.map((d) => storage.webhooks.findWebhookDelivery(d.id)))
    ).flatMap((d) => d?.attempts ?? []);

    fixture = {
      webhookEndpointId: endpoint.id,
      ticketNumber: world.ticketA.number,
      deferredMailId,
      sentMailId,
      templateId: world.templateId,
      heldMailId: heldId,
    };

    const outbox = (await storage.outbox.listOutbox(undefined, { cursor: null, limit: 100 })).items;
    const templates = await storage.settings.listTemplates();
    // The template editor previews the template against a ticket, in a recipient language: what the template says.
    const previews: string[] = [];
    for (const ticketNumber of [world.ticketA.number, world.ticketB.number]) {
      for (const locale of ['en-US', 'pt-BR', 'es-ES'] as const)
        previews.push(
          (await previewTemplate(deps, world.admin, { id: world.templateId }, { ticketNumber, locale })).subject,
        );
    }
    data = [
      ...[world.admin, world.techA, world.techB, world.requesterA, world.requesterB].flatMap((u) => [u.name, u.email]),
      'Group A',
      'Group B',
      ...[world.ticketA, world.ticketB].flatMap((t) => [t.title, t.description]),
      'Incident',
      'Printing',
      'Office devices',
      'IT services',
      'Hardware',
      'The printer still jams on tray 2.',
      'Internal: ordered a new roller.',
      'Could you send a photo of the jam?',
      'Spam King',
      'king@spam.example',
      'desk@example.test',
      `Re: [#${world.ticketA.number}] Cheap printer toner`,
      'Buy toner now.',
      ...outbox.flatMap((e) => [e.subject, e.toName, e.toAddress, e.messageIdHeader]),
      ...templates.flatMap((t) => [t.name, t.subject]),
      ...previews,
      ...catcher.list().flatMap((m) => [m.subject, m.from ?? '', m.to ?? '']),
      '127.0.0.1',
      // The SMTP account the world is made with, as the audit log names it.
      'smtp.example.test',
      'desk',
      'America/New_York',
      'America/Sao_Paulo',
      'Europe/Madrid',
      'UTC',
      ...answers.flatMap((a) => [a.name, ...a.variants.flatMap((v) => [v.locale, v.text])]),
      'en-US, pt-BR',
      hookUrl,
      urlForAudit(hookUrl), // as the audit log shows it
      'Tracker',
      // The team mailbox the walk is made with: its name, sender and how the list shows them.
      'Acme <acme@example.test>',
      '“Acme”',
      'acme@example.test',
      'Acme',
      ...webhookDeliveries.flatMap((d) => [d.eventId, d.lastReply ?? '']),
      ...webhookAttempts.map((a) => `${a.durationMs} ms`),
      ', ',
    ].filter((s) => s.trim().length > 0);
  });

  after(async () => {
    hooks?.closeAllConnections();
    await new Promise<void>((done) => (hooks ? hooks.close(() => done()) : done()));
    await browser?.close();
    await parley?.close();
  });
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** Whether a text may be the same in `locale` as in English: nothing but data, shared names, numbers and signs. */
function sameAllowed(text: string, locale: 'pt-BR' | 'es-ES'): boolean {
  let rest = text;
  for (const value of [...data].sort((a, b) => b.length - a.length)) rest = rest.split(value).join(' ');
  rest = rest.replace(/\$\{[A-Z0-9_]+\}/g, ' ');
  for (const word of [...SAME_IN_EVERY_LANGUAGE, ...SAME_IN[locale]].sort((a, b) => b.length - a.length))
    rest = rest.replace(new RegExp(`(^|[^\\p{L}])${escape(word)}(?=$|[^\\p{L}])`, 'gu'), '$1 ');
  return !/\p{L}/u.test(rest);
}

async function setLanguage(locale: Locale) {
  const { deps, world } = parley;
  for (const user of [world.admin, world.techA, world.requesterA])
    await editUser(deps, CLI_ORIGIN, world.admin, user.id, { locale });
}

const USERS: Record<Exclude<Role, 'signed-out'>, () => string> = {
  requester: () => parley.world.requesterA.email,
  technician: () => parley.world.techA.email,
  admin: () => parley.world.admin.email,
};

/** Opens each page of one role in one browser profile (signed in once) and reads its texts. */
async function readPages(locale: Locale, role: Role, pages: readonly PageSpec[]): Promise<Map<string, string[]>> {
  const texts = new Map<string, string[]>();
  await withPage(browser, parley.baseUrl, locale, async (page: Page) => {
    if (role !== 'signed-out') {
      await page.goto('/');
      await page.locator('#signin-email').fill(USERS[role]());
      await page.locator('input[type="password"]').fill(TEST_PASSWORD);
      await page.locator('form button[type="submit"]').click();
      await page.waitForFunction(() => location.pathname !== '/' && !!document.querySelector('h1'));
    }
    for (const spec of pages) {
      await page.goto(spec.path(fixture));
      await page.waitForFunction((l) => document.documentElement.lang === l, locale);
      await page.locator(spec.ready).first().waitFor({ state: 'attached' });
      await page.waitForFunction(() => !document.querySelector('.loading'));
      await spec.act?.(page, fixture);
      texts.set(spec.name, await pageTexts(page));
    }
  });
  return texts;
}

export async function readAll(locale: Locale): Promise<Map<string, string[]>> {
  await setLanguage(locale);
  const all = new Map<string, string[]>();
  for (const role of [...new Set(I18N_PAGES.map((p) => p.role))]) {
    for (const [name, texts] of await readPages(
      locale,
      role,
      I18N_PAGES.filter((p) => p.role === role),
    ))
      all.set(name, texts);
  }
  return all;
}

let englishTexts: Promise<Map<string, string[]>> | undefined;
/** The pages read in English once, for both languages' comparisons. */
export function english(): Promise<Map<string, string[]>> {
  englishTexts ??= readAll('en-US').then((texts) => {
    // The walk reached what it meant to (guards against comparing empty pages).
    assert.ok(
      texts.get('admin outbox: the deferred mail and its attempts')!.some((t) => /SMTP server/.test(t)),
      'the deferred attempt is shown',
    );
    assert.ok(
      texts.get('admin template editor with an unknown key refused')!.some((t) => t.includes('NO_SUCH_KEY')),
      'the unknown key is refused',
    );
    return texts;
  });
  return englishTexts;
}

/** The texts of `translated` that are the same as an English text of the same page and are not allowed to be. */
export function stillEnglish(
  locale: 'pt-BR' | 'es-ES',
  en: Map<string, string[]>,
  translated: Map<string, string[]>,
): string[] {
  const found: string[] = [];
  for (const spec of I18N_PAGES) {
    const same = new Set(en.get(spec.name));
    for (const text of translated.get(spec.name) ?? [])
      if (same.has(text) && !sameAllowed(text, locale)) found.push(`${spec.name}: “${text}”`);
  }
  return found;
}
