/**
 * Composition root: config -> adapters -> Deps (and the delivery machinery: transports, dispatcher). It picks the
 * concrete adapters, with main-inbound.ts (receiving mail, and the mail catcher), which only the roles that receive
 * load, so the dispatcher's process never loads the inbound packages.
 */
import { readFileSync } from 'node:fs';
import pino, { type Logger } from 'pino';
import { AesGcmSecretBox } from './adapters/crypto/aes-gcm-secret-box.ts';
import { HmacSigner } from './adapters/crypto/hmac-signer.ts';
import { SanitizeHtmlSanitizer } from './adapters/html/sanitize-html-sanitizer.ts';
import { NodeTokens } from './adapters/crypto/node-tokens.ts';
import { ScryptPasswordHasher } from './adapters/crypto/scrypt-password-hasher.ts';
import { NodemailerMailTransports } from './adapters/smtp/nodemailer-mail-transports.ts';
import { openStorage } from './adapters/storage/open-storage.ts';
import type { SqlStorage } from './adapters/storage/sql/sql-storage.ts';
import { systemClock } from './adapters/system-clock.ts';
import type { Config } from './config/config.ts';
import { OutboxDispatcher } from './delivery/workers/outbox-dispatcher.ts';
import { WebhookDispatcher } from './delivery/workers/webhook-dispatcher.ts';
import { HttpWebhookSender } from './adapters/net/http-webhook-sender.ts';
import type { WebhookSender } from './ports/webhook-sender.ts';
import { ProcessHeartbeat } from './delivery/workers/process-heartbeat.ts';
import type { ProcessRole } from './domain/processes/role-process.ts';
import type { Deps } from './domain/deps.ts';
import type { DispatchPolicy } from './domain/notifications/dispatch-outbox.ts';
import type { Clock } from './ports/clock.ts';
import type { MailTransports } from './ports/mail-transport.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';
import { projectPath } from './config/project-root.ts';
import { Oauth4webapiClient } from './adapters/oauth/oauth4webapi-client.ts';

/** Thrown by `createParley` with `readOnly` when the SQLite file it names does not exist (`parley doctor`). */
export { NoSqliteDatabaseError } from './adapters/storage/sqlite/sqlite-storage.ts';

export interface Parley {
  config: Readonly<Config>;
  deps: Deps;
  storage: SqlStorage;
  transports: MailTransports;
  webhooks: WebhookSender;
  log: Logger;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  /** Every write refused; an SQLite database opened only if there is one (`openStorage`'s `readOnly`). */
  readOnly?: boolean;
  clock?: Clock;
  hasher?: PasswordHasher;
  storage?: SqlStorage;
  transports?: MailTransports;
  webhooks?: WebhookSender;
  log?: Logger;
}

/** Log lines never carry credentials, whatever object is logged. */
export const LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["x-csrf-token"]',
  '*.password',
  '*.pass',
  '*.settings.password',
];

export function createLogger(config: Readonly<Config>, destination?: pino.DestinationStream): Logger {
  return pino({ level: config.logLevel, redact: LOG_REDACTIONS }, destination);
}

/** How long a webhook endpoint has to answer a delivery (connection, request and answer). */
export const WEBHOOK_TIMEOUT_MS = 10_000;

export function createParley(config: Readonly<Config>, overrides: ParleyOverrides = {}): Parley {
  const log = overrides.log ?? createLogger(config);
  const storage =
    overrides.storage ??
    openStorage(config.databaseUrl, {
      poolSize: config.databasePoolSize,
      readOnly: overrides.readOnly,
      onIdleError: (error) => log.warn({ err: error }, 'database connection dropped; it will be replaced'),
      onSignalError: (error) =>
        log.warn(
          { err: error },
          'a change was saved but its signal could not be sent; listeners see it at their next poll',
        ),
    });
  const timeoutMs = config.smtpTimeoutSeconds * 1000;
  const transports =
    overrides.transports ??
    new NodemailerMailTransports({
      maxConnections: 5,
      connectionTimeoutMs: timeoutMs,
      greetingTimeoutMs: timeoutMs,
      socketTimeoutMs: timeoutMs * 2,
      clientName: config.mailDomain,
    });
  const deps: Deps = {
    storage,
    clock: overrides.clock ?? systemClock,
    hasher: overrides.hasher ?? new ScryptPasswordHasher(),
    secrets: new AesGcmSecretBox(config.secretKey),
    tokens: new NodeTokens(),
    signer: new HmacSigner(config.secretKey),
    html: new SanitizeHtmlSanitizer(),
    oauth: new Oauth4webapiClient(),
    site: { publicUrl: config.publicUrl, mailDomain: config.mailDomain },
  };
  const webhooks =
    overrides.webhooks ?? new HttpWebhookSender({ timeoutMs: WEBHOOK_TIMEOUT_MS, userAgent: 'Parley-Webhooks' });
  return {
    config,
    deps,
    storage,
    transports,
    webhooks,
    log,
    close: async () => {
      transports.closeAll();
      await storage.close();
    },
  };
}

export function dispatchPolicy(config: Readonly<Config>): DispatchPolicy {
  return {
    batchSize: 50,
    concurrency: 10,
    leaseSeconds: config.leaseSeconds,
    retryBaseSeconds: config.retryBaseSeconds,
    retryMaxSeconds: config.retryMaxSeconds,
    giveUpHours: config.giveUpHours,
  };
}

/**
 * Which dispatcher a signal wakes: the outbox's (mail queued) or the webhooks' (deliveries queued); `withdrawn` (mail or
 * webhook deliveries they may be sending were taken back) makes both renew the claims of their batch in flight at once.
 */
export type DispatchWake = 'outbox' | 'withdrawn' | 'webhooks';

/** What `parley dispatch` (or `serve` inline) runs: the outbox's dispatcher and the webhooks' beside it. */
export interface Dispatchers {
  start(): Promise<void>;
  kick(wake: DispatchWake): void;
  stop(): Promise<void>;
}

export function createDispatcher(parley: Parley, options: { pollMs?: number } = {}): Dispatchers {
  const policy = dispatchPolicy(parley.config);
  const pollMs = options.pollMs ?? 2000;
  const outbox = new OutboxDispatcher({ ...parley.deps, transports: parley.transports }, policy, {
    pollMs,
    log: parley.log,
    leadership: parley.storage.dispatchLeadership(),
  });
  const webhooks = new WebhookDispatcher({ ...parley.deps, sender: parley.webhooks }, policy, {
    pollMs,
    log: parley.log,
  });
  return {
    start: async () => {
      await outbox.start();
      await webhooks.start();
    },
    kick: (wake) => {
      if (wake === 'outbox') outbox.kick();
      else if (wake === 'webhooks') webhooks.kick();
      else {
        outbox.withdrawn();
        webhooks.withdrawn();
      }
    },
    stop: async () => {
      await Promise.all([outbox.stop(), webhooks.stop()]);
    },
  };
}

/** Parley's version (package.json), as the running processes report it. */
export const PARLEY_VERSION: string = (
  JSON.parse(readFileSync(projectPath('package.json'), 'utf8')) as { version: string }
).version;

/** The heartbeat of a role process (`parley serve`, `dispatch`, `ingest`): a row per role it performs. */
export function createHeartbeat(parley: Parley, roles: readonly ProcessRole[]): ProcessHeartbeat {
  return new ProcessHeartbeat(parley.deps, roles, { version: PARLEY_VERSION, log: parley.log });
}
