/**
 * The pages the language test walks, each with who opens it and how to tell, in any language, that it has loaded;
 * and how the texts of a page are read (visible text nodes and the texts of attributes people meet). Kept in a
 * module of its own so other browser tests can walk the same pages.
 */
import type { Page } from 'playwright-core';

export type Role = 'signed-out' | 'requester' | 'technician' | 'admin';

export interface Fixture {
  ticketNumber: number;
  deferredMailId: number;
  sentMailId: number;
  templateId: number;
  heldMailId: number;
  webhookEndpointId: number;
}

export interface PageSpec {
  name: string;
  role: Role;
  path(f: Fixture): string;
  /** A CSS selector that appears once the page has its content (whatever the language). */
  ready: string;
  /** What a person does before the page is read (press "Verify connection", type an unknown key ...). */
  act?(page: Page, f: Fixture): Promise<void>;
}

export const I18N_PAGES: readonly PageSpec[] = [
  { name: 'sign-in', role: 'signed-out', path: () => '/', ready: '#signin-email' },
  { name: 'portal list', role: 'requester', path: () => '/portal', ready: 'tbody tr time' },
  {
    name: 'portal thread',
    role: 'requester',
    path: (f) => `/portal/tickets/${f.ticketNumber}`,
    ready: '[data-testid="message"]',
  },
  { name: 'portal new request', role: 'requester', path: () => '/portal/new', ready: 'form select option + option' },
  { name: 'desk queue', role: 'technician', path: () => '/desk', ready: 'tbody tr time' },
  {
    name: 'desk ticket',
    role: 'technician',
    path: (f) => `/desk/tickets/${f.ticketNumber}`,
    ready: '[data-testid="message"]',
  },
  {
    name: 'desk ticket with the canned answers open',
    role: 'technician',
    path: (f) => `/desk/tickets/${f.ticketNumber}`,
    ready: '[data-testid="message"]',
    async act(page) {
      await page.locator('.picker > button').first().click();
      await page.locator('.picker-option').first().waitFor();
    },
  },
  { name: 'desk my answers', role: 'technician', path: () => '/account/answers', ready: 'tbody tr' },
  { name: 'desk needs review', role: 'technician', path: () => '/desk/inbound', ready: '[data-testid="inbound-row"]' },
  {
    name: 'desk held mail',
    role: 'technician',
    path: (f) => `/desk/inbound/${f.heldMailId}`,
    ready: '[data-testid="inbound-reason"]',
  },
  {
    name: 'admin parameters with a refused value',
    role: 'admin',
    path: () => '/admin/parameters',
    ready: '#parameter-199',
    async act(page) {
      await page.locator('#parameter-14 button').click();
      await page.locator('#param-14-value').fill('not a host!');
      await page.locator('#parameter-14 button[type="submit"]').click();
      await page.locator('#parameter-14 .notice-code').waitFor();
    },
  },
  {
    name: 'admin SMTP account with a verify result and a test mail result',
    role: 'admin',
    path: () => '/admin/smtp',
    ready: '#smtp-host',
    async act(page) {
      await page.locator('#smtp-verify-h').locator('xpath=..').locator('button').click();
      await page.locator('#smtp-verify-h').locator('xpath=..').locator('p.notice').waitFor();
      await page.locator('form[aria-labelledby="smtp-test-h"] button[type="submit"]').click();
      await page.locator('form[aria-labelledby="smtp-test-h"] p.notice').waitFor();
    },
  },
  { name: 'admin templates', role: 'admin', path: () => '/admin/templates', ready: 'tbody tr' },
  {
    name: 'admin template editor with an unknown key refused',
    role: 'admin',
    path: (f) => `/admin/templates/${f.templateId}`,
    ready: '#tpl-subject',
    async act(page) {
      await page.locator('#tpl-subject').fill('${NO_SUCH_KEY} about the ticket');
      await page.locator('form.editor-form button[type="submit"]').click();
      await page.locator('.notice-error .notice-code').first().waitFor();
    },
  },
  {
    name: 'admin canned answers with an unknown key refused',
    role: 'admin',
    path: () => '/admin/canned-answers',
    ready: 'tbody tr',
    async act(page) {
      await page.locator('.page-actions .button-primary').click();
      await page.locator('#answer-name').fill('Printer: restart');
      await page.locator('#answer-variant-1-text').fill('${NO_SUCH_KEY}');
      await page.locator('dialog[open] button[type="submit"]').click();
      await page.locator('dialog[open] .notice-error .notice-code').waitFor();
    },
  },
  { name: 'admin users', role: 'admin', path: () => '/admin/users', ready: 'tbody tr' },
  { name: 'admin groups', role: 'admin', path: () => '/admin/groups', ready: 'tbody tr' },
  {
    name: 'admin outbox (a deferred and a sent mail)',
    role: 'admin',
    path: () => '/admin/outbox',
    ready: '.cell-reply',
  },
  {
    name: 'admin outbox: the deferred mail and its attempts',
    role: 'admin',
    path: (f) => `/admin/outbox/${f.deferredMailId}`,
    ready: '#attempts-h ~ table tbody tr',
  },
  {
    name: 'admin outbox: a sent mail',
    role: 'admin',
    path: (f) => `/admin/outbox/${f.sentMailId}`,
    ready: '#attempts-h ~ table tbody tr',
  },
  { name: 'admin needs review', role: 'admin', path: () => '/admin/inbound', ready: '[data-testid="inbound-row"]' },
  { name: 'admin mail catcher', role: 'admin', path: () => '/admin/mail-catcher', ready: 'tbody tr' },
  { name: 'admin mailboxes', role: 'admin', path: () => '/admin/mailboxes', ready: '[data-testid="mailbox"]' },
  { name: 'admin webhooks', role: 'admin', path: () => '/admin/webhooks', ready: '[data-testid="webhook-row"]' },
  {
    name: 'admin webhook deliveries and an attempt',
    role: 'admin',
    path: (f) => `/admin/webhooks/${f.webhookEndpointId}`,
    ready: '[data-testid="webhook-delivery"]',
    async act(page) {
      await page.locator('[data-testid="webhook-delivery"] .cell-actions button').first().click();
      await page.locator('[data-testid="webhook-attempt"]').first().waitFor();
    },
  },
  { name: 'admin audit log', role: 'admin', path: () => '/admin/audit', ready: '[data-testid="audit-row"]' },
];

/**
 * Every text a person meets on the page: text nodes (also those only screen readers hear), the title, and the
 * placeholder, aria-label, title and alt attributes and button values. Form values, mail bodies (pre) and the
 * sandboxed mail frames are what people wrote, not the interface, and are left out.
 */
export async function pageTexts(page: Page): Promise<string[]> {
  // A string, not a function: the test runner's compiler would add helpers the page does not have.
  return page.evaluate(`(() => {
    const texts = new Set();
    const add = (value) => {
      const text = (value || '').replace(/\\s+/g, ' ').trim();
      if (text) texts.add(text);
    };
    add(document.title);
    const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      // What a person writes (a text box, a formatted message box) is theirs; a glyph hidden from assistive technology
      // (a toolbar's B, I, 1.) is an icon whose words are its translated label and title, read below.
      if (node.parentElement && node.parentElement.closest('script, style, textarea, pre, iframe, noscript, [contenteditable="true"], [aria-hidden="true"]')) continue;
      add(node.textContent);
    }
    for (const el of document.querySelectorAll('[placeholder], [aria-label], [title], [alt]')) {
      for (const attribute of ['placeholder', 'aria-label', 'title', 'alt']) add(el.getAttribute(attribute));
    }
    for (const el of document.querySelectorAll('input[type="submit"], input[type="button"], input[type="reset"]')) add(el.value);
    return [...texts];
  })()`);
}
