import assert from 'node:assert/strict';
/**
 * The browser tests' world: a real Parley (SQLite in memory, the web build served by build-app, the outbox dispatcher
 * sending to the built-in mail catcher on loopback) listening on 127.0.0.1, and Debian's Chromium driven by
 * playwright-core. No browser is ever downloaded: the tests use /usr/bin/chromium (.ci/run installs it).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, rmSync, statSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance } from 'fastify';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { MailCatcher } from '../../src/adapters/smtp/mail-catcher.ts';
import { NodemailerMailTransports } from '../../src/adapters/smtp/nodemailer-mail-transports.ts';
import type { SqlStorage } from '../../src/adapters/storage/sql/sql-storage.ts';
import { buildApp } from '../../src/delivery/http/build-app.ts';
import { OutboxDispatcher } from '../../src/delivery/workers/outbox-dispatcher.ts';
import { WebhookDispatcher } from '../../src/delivery/workers/webhook-dispatcher.ts';
import { HttpWebhookSender } from '../../src/adapters/net/http-webhook-sender.ts';
import type { Deps } from '../../src/domain/deps.ts';
import { saveSmtpAccount } from '../../src/domain/parameters/save-smtp-account.ts';
import { sqliteMemory } from '../support/databases.ts';
import { buildWorld, TEST_PASSWORD, testDeps, type World } from '../support/fixtures.ts';
import { CLI_ORIGIN } from '../../src/domain/audit/audit-entry.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const WEB = join(ROOT, 'web');
const DIST_INDEX = join(WEB, 'dist', 'index.html');
export const SCREENSHOTS = join(ROOT, 'test-artifacts', 'screenshots');
export const CHROMIUM = process.env.PARLEY_TEST_CHROMIUM || '/usr/bin/chromium';

function newestMtime(path: string): number {
  const s = statSync(path);
  if (!s.isDirectory()) return s.mtimeMs;
  return readdirSync(path).reduce((m, name) => Math.max(m, newestMtime(join(path, name))), s.mtimeMs);
}

function buildIsCurrent(): boolean {
  if (!existsSync(DIST_INDEX)) return false;
  const sources = Math.max(
    newestMtime(join(WEB, 'src')),
    newestMtime(join(WEB, 'index.html')),
    newestMtime(join(WEB, 'vite.config.mjs')),
    newestMtime(join(WEB, 'public')),
  );
  return statSync(DIST_INDEX).mtimeMs >= sources;
}

/**
 * Builds web/dist when it is missing or older than its sources. Test files run two at a time: a lock folder lets one
 * of them build while the other waits.
 */
export async function ensureWebBuild(): Promise<void> {
  if (buildIsCurrent()) return;
  const lock = join(WEB, '.build-lock');
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than any build is left from a killed run: take it over.
      const held = statSync(lock, { throwIfNoEntry: false });
      if (held && Date.now() - held.mtimeMs > 180_000) rmSync(lock, { recursive: true, force: true });
      if (Date.now() > deadline)
        throw new Error(`web build lock ${lock} held for 3 minutes; remove it if no build is running`);
      await new Promise((r) => setTimeout(r, 250));
      if (buildIsCurrent()) return;
    }
  }
  try {
    if (!buildIsCurrent()) {
      execFileSync(
        process.execPath,
        [join(ROOT, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--config', join(WEB, 'vite.config.mjs')],
        {
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'inherit'],
          timeout: 170_000,
        },
      );
    }
  } finally {
    rmdirSync(lock);
  }
}

export interface Parley {
  app: FastifyInstance;
  deps: Deps;
  storage: SqlStorage;
  world: World;
  catcher: MailCatcher;
  baseUrl: string;
  close(): Promise<void>;
}

const quiet = { info() {}, error() {} };

/** A Parley with buildWorld's users and tickets, mail going to the built-in catcher, served on 127.0.0.1:<free port>. */
export async function startParley(
  options: { messaging?: boolean; beforeListen?: (app: FastifyInstance) => void | Promise<void> } = {},
): Promise<Parley> {
  await ensureWebBuild();
  const db = await sqliteMemory.open();
  const deps = testDeps(db.storage, { now: () => new Date() });
  const world = await buildWorld(deps, options);
  const catcher = new MailCatcher();
  const smtpPort = await catcher.start('127.0.0.1', 0);
  if (options.messaging !== false) {
    await saveSmtpAccount(deps, CLI_ORIGIN, world.admin, {
      host: '127.0.0.1',
      port: smtpPort,
      security: 'none',
      auth: false,
      from: 'desk@example.test',
      fromName: 'Service Desk',
    });
  }
  const transports = new NodemailerMailTransports({
    maxConnections: 2,
    connectionTimeoutMs: 2000,
    greetingTimeoutMs: 2000,
    socketTimeoutMs: 4000,
    idleMs: 1000,
  });
  const dispatcher = new OutboxDispatcher(
    { ...deps, transports },
    { batchSize: 20, concurrency: 4, leaseSeconds: 60, retryBaseSeconds: 60, retryMaxSeconds: 600, giveUpHours: 120 },
    { pollMs: 500, log: quiet },
  );
  await dispatcher.start();
  // Webhooks are posted beside the outbox, as `parley serve` does inline (the webhooks page's test receives them).
  const webhooks = new WebhookDispatcher(
    { ...deps, sender: new HttpWebhookSender({ timeoutMs: 5000, userAgent: 'Parley-Test' }) },
    { batchSize: 20, concurrency: 2, leaseSeconds: 60, retryBaseSeconds: 60, retryMaxSeconds: 600, giveUpHours: 120 },
    { pollMs: 500, log: quiet },
  );
  await webhooks.start();
  const app = await buildApp(deps, { mail: { transports, catcher } });
  await options.beforeListen?.(app);
  await app.listen({ host: '127.0.0.1', port: 0 });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  return {
    app,
    deps,
    storage: db.storage,
    world,
    catcher,
    baseUrl: `http://127.0.0.1:${port}`,
    async close() {
      await app.close();
      await dispatcher.stop();
      await webhooks.stop();
      transports.closeAll();
      await catcher.stop();
      await db.storage.close();
    },
  };
}

export async function launchBrowser(): Promise<Browser> {
  if (!existsSync(CHROMIUM))
    throw new Error(`Chromium is not installed at ${CHROMIUM} (apt-get install chromium; .ci/run does it).`);
  return chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}

/** A fresh browser profile (own cookies) with a desktop-sized window; page errors and CSP violations are collected. */
/** A fresh browser context in `locale` for `body`; the page must end without script errors or CSP violations. */
export async function withPage(
  browser: Browser,
  baseUrl: string,
  locale: string,
  body: (page: Page) => Promise<void>,
): Promise<void> {
  const { context, page, problems } = await newContext(browser, baseUrl, locale);
  try {
    await body(page);
    assert.deepEqual(problems, [], 'the page had errors or violated its Content-Security-Policy');
  } finally {
    await context.close();
  }
}

export async function newContext(
  browser: Browser,
  baseUrl: string,
  locale = 'en-US',
): Promise<{ context: BrowserContext; page: Page; problems: string[] }> {
  const context = await browser.newContext({
    baseURL: baseUrl,
    locale,
    timezoneId: 'UTC',
    viewport: { width: 1360, height: 900 },
  });
  context.setDefaultTimeout(10_000);
  const page = await context.newPage();
  const problems: string[] = [];
  page.on('pageerror', (error) => problems.push(`page error: ${error.message}`));
  page.on('console', (message) => {
    const text = message.text();
    if (message.type() === 'error' && /Content Security Policy|Refused to/i.test(text))
      problems.push(`console: ${text}`);
  });
  return { context, page, problems };
}

/** Signs in through the form, by its accessible names (a contract of the public interfaces: Email, Password, Sign in and their translations). */
export async function signIn(
  page: Page,
  email: string,
  names = { email: 'Email', password: 'Password', submit: 'Sign in' },
) {
  await page.goto('/');
  await page.getByLabel(names.email, { exact: true }).fill(email);
  await page.getByLabel(names.password, { exact: true }).fill(TEST_PASSWORD);
  // Wait for the answer (its cookie): a navigation right after the click would cancel the request on a slow machine.
  const answered = page.waitForResponse(
    (r) => r.url().endsWith('/api/v1/auth/login') && r.request().method() === 'POST',
  );
  await page.getByRole('button', { name: names.submit, exact: true }).click();
  await answered;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  // Not 'networkidle': the live-update stream stays open. Wait until nothing on the page is still loading.
  await page.waitForFunction(() => !document.querySelector('.loading'));
  await page.evaluate(() => document.fonts.ready);
  await page.waitForTimeout(100);
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: true });
}

/**
 * What a person sees written in a formatted message box: its blocks (paragraphs, list items, quotes) one per line,
 * as a text box's value would read.
 */
export async function draftText(box: Locator): Promise<string> {
  // No named function inside: the page gets this source as written, without the test runner's helpers.
  return box.evaluate((el) =>
    Array.from(el.querySelectorAll('p, li, pre, h2, h3'))
      .filter((block) => !block.querySelector('p, li'))
      .map((block) => (block as HTMLElement).innerText.replace(/\n+$/, ''))
      .join('\n'),
  );
}
