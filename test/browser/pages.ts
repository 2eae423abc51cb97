/**
 * Every page of the web app, and how a person reaches it: which role signs in, the path, what shows once the page has
 * its content, and the states worth seeing (a dialog open, a form showing its errors). The phone-width and the
 * accessibility tests walk this list; a new page belongs here so both check it.
 *
 * Selectors are structural (ids, classes, test ids), never words, so the same walk runs in every language.
 */
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { MailparserMailParser } from '../../src/adapters/inbound/mailparser-mail-parser.ts';
import { processInboundMail } from '../../src/domain/inbound/process-inbound-mail.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../src/domain/inbound/inbound-deps.ts';
import { postMessage } from '../../src/domain/messages/post-message.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { setTicketCopies } from '../../src/domain/tickets/set-ticket-copies.ts';
import { eml, mail } from '../fixtures/eml/eml.ts';
import { TEST_PASSWORD } from '../support/fixtures.ts';
import { waitUntil } from '../support/smtp-sink.ts';
import type { Parley } from './harness.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';
import { createWebhookEndpoint } from '../../src/domain/webhooks/create-webhook-endpoint.ts';
import { createMailbox } from '../../src/domain/mailboxes/save-mailbox.ts';
import { createCannedAnswer } from '../../src/domain/canned-answers/create-canned-answer.ts';

export type Role = 'signed-out' | 'requester' | 'technician' | 'admin';
export const LOCALES = ['en-US', 'pt-BR', 'es-ES'] as const;
export type Locale = (typeof LOCALES)[number];

/** What the paths of some pages need: the records `prepareSite` made. */
export interface SiteIds {
  ticket: number;
  otherTicket: number;
  heldMail: number;
  deferredMail: number;
  capturedMail: number;
  template: number;
  /** A webhook endpoint on a closed loopback port: its delivery deferred, with the reason in its attempt. */
  webhookEndpoint: number;
}

export interface Visit {
  /** Names the page in failures and screenshots. */
  name: string;
  role: Role;
  path: string | ((ids: SiteIds) => string);
  /** Shown once the page has its content (besides its h1 and nothing still loading). */
  ready: string;
  /** A state a person brings the page to, after it loaded; it ends once the state shows. */
  act?: (page: Page) => Promise<void>;
}

export interface Site {
  parley: Parley;
  ids: SiteIds;
  /** Who signs in for each role. */
  accounts: Record<Exclude<Role, 'signed-out'>, string>;
}

let messageCounter = 0;

/** Stores and processes one inbound mail as the SMTP and IMAP receivers do. */
async function deliver(parley: Parley, raw: Buffer) {
  const inbound: InboundDeps = {
    ...parley.deps,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: 1000, maxAttempts: 5 },
  };
  const id = await receiveMail(parley.deps, {
    raw,
    sha256: createHash('sha256').update(raw).digest('hex'),
    envelopeFrom: 'bounce@mail.example.org',
    envelopeTo: ['desk@example.test'],
    remoteAddress: '127.0.0.1',
  });
  const done = await processInboundMail(inbound, id);
  assert.ok(done);
  return done;
}

/**
 * Gives a fresh Parley what people meet on its pages: a conversation on ticket A (messages both ways, an internal
 * note with time spent, a file, a copy), mail sent and caught, a mail deferred, held inbound mail. Returns the pages.
 */
export async function prepareSite(parley: Parley): Promise<Site> {
  const { deps, world, storage } = parley;
  const ticket = world.ticketA.number;
  const hook = await createWebhookEndpoint(deps, CLI_ORIGIN, {
    url: 'http://127.0.0.1:1/parley',
    description: 'Tracker',
    events: ['message.created'],
    publicOnly: true,
    active: true,
    allowPrivate: true,
  });
  await createMailbox(deps, CLI_ORIGIN, {
    name: 'Acme',
    fromAddress: 'acme@example.test',
    fromName: 'Acme',
    smtpHost: '127.0.0.1',
    smtpPort: 1, // nothing listens there: its mail is deferred, whatever runs on this machine
    smtpSecurity: 'none',
    smtpAuth: 'none',
    groupIds: [world.groupB],
  });
  await setTicketCopies(deps, world.techA, ticket, [{ email: 'carol.copy@partner.example', name: 'Carol Copy' }]);
  const sent = await postMessage(deps, world.techA, {
    ticketNumber: ticket,
    text: 'Could you restart the printer and tell me what the panel shows?',
    source: 'desk',
  });
  const file = Buffer.from('Printer log: paper jam in tray 2\n');
  const answer = await postMessage(deps, world.requesterA, {
    ticketNumber: ticket,
    text: 'It shows "paper jam in tray 2". The log is attached.',
    source: 'portal',
    attachments: [
      {
        name: 'printer-log.txt',
        contentType: 'text/plain',
        content: file,
        sha256: createHash('sha256').update(file).digest('hex'),
      },
    ],
  });
  await postMessage(deps, world.techA, {
    ticketNumber: ticket,
    text: 'Tray 2 roller is worn; ordered a new one.',
    internal: true,
    timeSpentMinutes: 20,
    source: 'desk',
  });
  const mails = [...sent.notifications, ...answer.notifications].map((n) => n.id);
  await waitUntil(
    async () =>
      (await Promise.all(mails.map((id) => storage.outbox.findOutboxEntry(id)))).every((e) => e?.status === 'sent'),
    'the notifications are sent',
  );

  // Then the SMTP server goes away (nothing listens on port 1): the next mail is deferred with its reply, and stays so
  // (every later attempt fails the same way), with "Retry now" in the outbox.
  await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
    host: '127.0.0.1',
    port: 1,
    security: 'none',
    auth: false,
    from: 'desk@example.test',
    fromName: 'Service Desk',
  });
  const deferred = await postMessage(deps, world.techB, {
    ticketNumber: world.ticketB.number,
    text: 'Your laptop was ordered.',
    source: 'desk',
  });
  const deferredMailId = deferred.notifications[0]!.id;
  await waitUntil(
    async () => (await storage.outbox.findOutboxEntry(deferredMailId))?.status === 'deferred',
    'the mail is deferred',
  );

  // Held for review: a stranger answering ticket A's notification.
  const [notification] = await storage.outbox.outboxOfMessages([sent.message.id]);
  assert.ok(notification);
  const held = await deliver(
    parley,
    eml('gmail-web-en', {
      FROM: 'carol@partner.example',
      FROM_NAME: 'Carol Partner',
      TO: 'desk@example.test',
      MESSAGE_ID: `<pages${Date.now()}.${++messageCounter}@mail.example.org>`,
      IN_REPLY_TO: notification.messageIdHeader,
      REFERENCES: `${notification.threadId ?? ''} ${notification.messageIdHeader}`.trim(),
      TICKET: ticket,
    }),
  );
  assert.equal(held.status, 'held');
  await deliver(
    parley,
    mail(
      {
        From: 'Spam King <king@spam.example>',
        To: 'desk@example.test',
        Subject: 'Cheap printer toner!!!',
        'Message-ID': `<pages${Date.now()}.${++messageCounter}@mail.example.org>`,
      },
      'Buy toner now.',
    ),
  );
  const caught = parley.catcher.list()[0]!;
  await waitUntil(
    async () =>
      (await storage.webhooks.listWebhookDeliveries({ endpointId: hook.endpoint.id }, { cursor: null, limit: 1 }))
        .items[0]?.status === 'deferred',
    'a webhook delivery is deferred',
  );
  await createCannedAnswer(deps, CLI_ORIGIN, world.admin, {
    name: 'Printer: restart',
    groupId: world.groupA,
    variants: [
      { locale: 'en-US', text: 'Hello ${REQUESTERNAME}, please restart the printer.' },
      { locale: 'pt-BR', text: 'Olá ${REQUESTERNAME}, reinicie a impressora.' },
    ],
  });
  await createCannedAnswer(deps, CLI_ORIGIN, world.techA, {
    name: 'Sign-off',
    variants: [{ locale: 'en-US', text: 'Best regards, ${USERNAME}' }],
  });

  return {
    parley,
    ids: {
      ticket,
      otherTicket: world.ticketB.number,
      heldMail: held.id,
      deferredMail: deferredMailId,
      capturedMail: caught.id,
      template: world.templateId,
      webhookEndpoint: hook.endpoint.id,
    },
    accounts: { requester: world.requesterA.email, technician: world.techA.email, admin: world.admin.email },
  };
}

const submit = (form: string) => async (page: Page) => {
  await page.locator(`${form} button[type="submit"]`).first().click();
  await page.locator('.field-error').first().waitFor();
};
const openDialog = (button: string) => async (page: Page) => {
  await page.locator(button).first().click();
  await page.locator('dialog[open] .dialog-body').waitFor();
};

/** Every page, in the order the tests walk them (grouped by role: one sign-in each). */
export const VISITS: readonly Visit[] = [
  { name: 'sign-in', role: 'signed-out', path: '/signin', ready: '#signin-email' },
  {
    name: 'sign-in-missing-fields',
    role: 'signed-out',
    path: '/signin',
    ready: '#signin-email',
    act: submit('.signin-card form'),
  },
  {
    name: 'sign-in-refused',
    role: 'signed-out',
    path: '/signin',
    ready: '#signin-email',
    act: async (page) => {
      await page.locator('#signin-email').fill('nobody@example.test');
      await page.locator('#signin-password').fill('not the password');
      await page.locator('.signin-card button[type="submit"]').click();
      await page.locator('.notice-error').waitFor();
    },
  },

  { name: 'portal-list', role: 'requester', path: '/portal', ready: 'tbody tr' },
  {
    name: 'portal-ticket',
    role: 'requester',
    path: (ids) => `/portal/tickets/${ids.ticket}`,
    ready: '[data-testid="message"]',
  },
  { name: 'portal-new', role: 'requester', path: '/portal/new', ready: '#new-title' },
  { name: 'portal-new-invalid', role: 'requester', path: '/portal/new', ready: '#new-title', act: submit('main form') },
  { name: 'portal-account', role: 'requester', path: '/account', ready: '#account-current' },

  { name: 'desk-queue', role: 'technician', path: '/desk', ready: 'tbody tr' },
  {
    name: 'desk-ticket',
    role: 'technician',
    path: (ids) => `/desk/tickets/${ids.ticket}`,
    ready: '[data-testid="message"]',
  },
  {
    name: 'desk-ticket-note',
    role: 'technician',
    path: (ids) => `/desk/tickets/${ids.ticket}`,
    ready: '[data-testid="message"]',
    act: async (page) => {
      await page.locator('#composer-tab-note').click();
      await page.locator('#panel-note button[type="submit"]').click();
      await page.locator('#panel-note .field-error').waitFor();
    },
  },
  { name: 'desk-needs-review', role: 'technician', path: '/desk/inbound', ready: '[data-testid="inbound-row"]' },
  {
    name: 'desk-inbound-mail',
    role: 'technician',
    path: (ids) => `/desk/inbound/${ids.heldMail}`,
    ready: '[data-testid="inbound-reason"]',
  },
  {
    name: 'desk-inbound-discard',
    role: 'technician',
    path: (ids) => `/desk/inbound/${ids.heldMail}`,
    ready: '[data-testid="inbound-reason"]',
    act: openDialog('.inbound-or .button-danger'),
  },
  {
    name: 'desk-ticket-canned-answers',
    role: 'technician',
    path: (ids) => `/desk/tickets/${ids.ticket}`,
    ready: '[data-testid="message"]',
    act: async (page) => {
      await page.locator('.picker > button').first().click();
      await page.locator('.picker-option').first().waitFor();
    },
  },
  {
    name: 'desk-ticket-slash',
    role: 'technician',
    path: (ids) => `/desk/tickets/${ids.ticket}`,
    ready: '[data-testid="message"]',
    act: async (page) => {
      await page.locator('.picker ~ .rich .rich-input').first().fill('/');
      await page.locator('.picker-option').first().waitFor();
    },
  },
  { name: 'desk-account', role: 'technician', path: '/account', ready: '#token-name' },
  { name: 'desk-my-answers', role: 'technician', path: '/account/answers', ready: 'tbody tr' },
  {
    name: 'desk-my-answers-edit',
    role: 'technician',
    path: '/account/answers',
    ready: 'tbody tr',
    act: openDialog('tbody .button-small'),
  },
  { name: 'desk-not-allowed', role: 'technician', path: '/admin/parameters', ready: '.page p' },

  { name: 'admin-parameters', role: 'admin', path: '/admin/parameters', ready: '#parameter-417' },
  {
    name: 'admin-parameter-edit',
    role: 'admin',
    path: '/admin/parameters',
    ready: '#parameter-417',
    act: async (page) => {
      await page.locator('#parameter-417 .cell-actions button').click();
      await page.locator('.inline-editor select').waitFor();
    },
  },
  { name: 'admin-smtp', role: 'admin', path: '/admin/smtp', ready: '#smtp-host' },
  {
    name: 'admin-smtp-invalid',
    role: 'admin',
    path: '/admin/smtp',
    ready: '#smtp-host',
    act: async (page) => {
      await page.locator('#smtp-host').fill('');
      await submit('form[aria-labelledby="smtp-account-h"]')(page);
    },
  },
  { name: 'admin-templates', role: 'admin', path: '/admin/templates', ready: 'tbody tr' },
  {
    name: 'admin-template-editor',
    role: 'admin',
    path: (ids) => `/admin/templates/${ids.template}`,
    ready: '.preview iframe.mail-frame',
  },
  {
    name: 'admin-template-unknown-key',
    role: 'admin',
    path: '/admin/templates/new',
    ready: '#tpl-name',
    act: async (page) => {
      await page.locator('#tpl-subject').fill('Ticket ${NOT_A_KEY}');
      await page.locator('#tpl-html').fill('<p>Hello</p>');
      await page.locator('#tpl-subject-problems').waitFor();
      await page.locator('.editor-form button[type="submit"]').click();
      await page.locator('.field-error').first().waitFor();
    },
  },
  { name: 'admin-users', role: 'admin', path: '/admin/users', ready: 'tbody tr' },
  {
    name: 'admin-user-edit',
    role: 'admin',
    path: '/admin/users',
    ready: 'tbody tr',
    act: openDialog('tbody .cell-actions button'),
  },
  { name: 'admin-groups', role: 'admin', path: '/admin/groups', ready: 'tbody tr' },
  {
    name: 'admin-group-edit',
    role: 'admin',
    path: '/admin/groups',
    ready: 'tbody tr',
    act: openDialog('tbody .cell-actions button'),
  },
  { name: 'admin-outbox', role: 'admin', path: '/admin/outbox', ready: 'tbody tr' },
  { name: 'admin-outbox-entry', role: 'admin', path: (ids) => `/admin/outbox/${ids.deferredMail}`, ready: '.details' },
  {
    name: 'admin-needs-review',
    role: 'admin',
    path: '/admin/inbound?status=all',
    ready: '[data-testid="inbound-row"]',
  },
  {
    name: 'admin-inbound-mail',
    role: 'admin',
    path: (ids) => `/admin/inbound/${ids.heldMail}`,
    ready: '[data-testid="inbound-reason"]',
  },
  { name: 'admin-mail-catcher', role: 'admin', path: '/admin/mail-catcher', ready: 'tbody tr' },
  { name: 'admin-audit', role: 'admin', path: '/admin/audit', ready: '[data-testid="audit-row"]' },
  { name: 'admin-canned-answers', role: 'admin', path: '/admin/canned-answers', ready: 'tbody tr' },
  {
    name: 'admin-canned-answers-new',
    role: 'admin',
    path: '/admin/canned-answers',
    ready: 'tbody tr',
    act: openDialog('.page-actions .button-primary'),
  },
  {
    name: 'admin-captured-mail',
    role: 'admin',
    path: (ids) => `/admin/mail-catcher/${ids.capturedMail}`,
    ready: '.details-headers',
  },
  {
    name: 'admin-desk-ticket',
    role: 'admin',
    path: (ids) => `/desk/tickets/${ids.otherTicket}`,
    ready: '.description',
  },
  { name: 'admin-mailboxes', role: 'admin', path: '/admin/mailboxes', ready: '[data-testid="mailbox"]' },
  {
    name: 'admin-mailbox-edit',
    role: 'admin',
    path: '/admin/mailboxes',
    ready: '[data-testid="mailbox"]',
    act: openDialog('[data-testid="mailbox"] .form-actions button'),
  },
  { name: 'admin-webhooks', role: 'admin', path: '/admin/webhooks', ready: '[data-testid="webhook-row"]' },
  {
    name: 'admin-webhook-edit',
    role: 'admin',
    path: '/admin/webhooks',
    ready: '[data-testid="webhook-row"]',
    act: openDialog('[data-testid="webhook-row"] .cell-actions button'),
  },
  {
    name: 'admin-webhook-deliveries',
    role: 'admin',
    path: (ids) => `/admin/webhooks/${ids.webhookEndpoint}`,
    ready: '[data-testid="webhook-delivery"]',
    act: async (page) => {
      await page.locator('[data-testid="webhook-delivery"] .cell-actions button').first().click();
      await page.locator('[data-testid="webhook-attempt"]').first().waitFor();
    },
  },
  { name: 'not-found', role: 'admin', path: '/no/such/page', ready: '.page p' },
];

export const PHONE: BrowserContextOptions = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
};

/**
 * A browser profile signed in as `role` (through the API's login, as the form does) whose language is `locale`: the
 * user's saved language is set to it, since a signed-in page follows the user's choice. Page errors and CSP
 * violations are collected in `problems`.
 */
export async function openAs(
  browser: Browser,
  site: Site,
  role: Role,
  locale: Locale,
  options: BrowserContextOptions = {},
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL: site.parley.baseUrl,
    locale,
    timezoneId: 'UTC',
    viewport: { width: 1360, height: 900 },
    ...options,
  });
  context.setDefaultTimeout(10_000);
  if (role !== 'signed-out') {
    const login = await context.request.post('/api/v1/auth/login', {
      data: { email: site.accounts[role], password: TEST_PASSWORD },
    });
    assert.equal(login.status(), 200, `signing in as the ${role}`);
    const { csrfToken } = (await login.json()) as { csrfToken: string };
    const me = await context.request.patch('/api/v1/me', { data: { locale }, headers: { 'x-csrf-token': csrfToken } });
    assert.equal(me.status(), 200, `setting the ${role}'s language`);
  }
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(message.text()))
      problems.push(`console: ${message.text()}`);
  });
  return { context, page, problems };
}

/**
 * Opens the page of `visit` and brings it to its state: its h1, its content, nothing loading. Signed in and already
 * in the app, it moves there as the app's links do (history and the router, no reload: a walk of many pages stays
 * quick); the same path again, or signed out, is loaded afresh so no state of the last visit is left.
 */
export async function go(page: Page, site: Site, visit: Visit): Promise<void> {
  const path = typeof visit.path === 'string' ? visit.path : visit.path(site.ids);
  const here = page.url().startsWith(site.parley.baseUrl) ? page.url().slice(site.parley.baseUrl.length) : null;
  const inApp =
    visit.role !== 'signed-out' && here !== null && here !== path && (await page.locator('header.topbar').count()) > 0;
  if (inApp) {
    await page.evaluate((to) => {
      window.history.pushState(null, '', to);
      window.dispatchEvent(new PopStateEvent('popstate'));
      window.scrollTo(0, 0);
    }, path);
    // The router renders the new page in a later task: two frames on, the last page is gone.
    await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
  } else {
    await page.goto(path);
  }
  await page.locator('h1').first().waitFor();
  await page.locator(visit.ready).first().waitFor();
  await page.waitForFunction(() => !document.querySelector('.loading'));
  if (visit.act) await visit.act(page);
  await page.evaluate(() => document.fonts.ready);
}

/**
 * Walks pages as their people: one browser profile per role (signed in when first needed) in one language and one
 * kind of screen. Each visit must end without page errors or CSP violations.
 */
export class Walker {
  private readonly profiles = new Map<Role, Promise<{ context: BrowserContext; page: Page; problems: string[] }>>();

  constructor(
    private readonly browser: Browser,
    private readonly site: () => Site,
    private readonly locale: Locale,
    private readonly options: BrowserContextOptions = {},
  ) {}

  /** The page of `role`'s profile (opened and signed in on first use). */
  async pageOf(role: Role): Promise<Page> {
    let profile = this.profiles.get(role);
    if (!profile) {
      profile = openAs(this.browser, this.site(), role, this.locale, this.options);
      this.profiles.set(role, profile);
    }
    return (await profile).page;
  }

  /** Opens `visit` in its role's profile and brings it to its state; `check` then looks at it. */
  async visit(visit: Visit, check: (page: Page) => Promise<void>): Promise<void> {
    const page = await this.pageOf(visit.role);
    const { problems } = (await this.profiles.get(visit.role))!;
    problems.length = 0;
    await go(page, this.site(), visit);
    await check(page);
    assert.deepEqual(problems, [], `${visit.name}: the page had errors or violated its Content-Security-Policy`);
  }

  async close(): Promise<void> {
    for (const profile of this.profiles.values()) await (await profile).context.close();
    this.profiles.clear();
  }
}
