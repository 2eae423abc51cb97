import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
/**
 * Composition root: config -> adapters -> Deps (and the delivery machinery: transports, dispatcher, mail catcher).
 * The only module that picks concrete adapters.
 */
import pino, { type Logger } from 'pino';
import { AesGcmSecretBox } from './adapters/crypto/aes-gcm-secret-box.ts';
import { HmacSigner } from './adapters/crypto/hmac-signer.ts';
import { NodeTokens } from './adapters/crypto/node-tokens.ts';
import { ScryptPasswordHasher } from './adapters/crypto/scrypt-password-hasher.ts';
import { MailauthSenderVerifier } from './adapters/inbound/mailauth-sender-verifier.ts';
import { MailparserMailParser } from './adapters/inbound/mailparser-mail-parser.ts';
import type { MailParser } from './ports/inbound.ts';
import { SmtpReceiver } from './adapters/inbound/smtp-receiver.ts';
import { ImapMailbox } from './adapters/inbound/imap-mailbox.ts';
import { ImapSupervisor } from './delivery/workers/imap-supervisor.ts';
import { MailCatcher } from './adapters/smtp/mail-catcher.ts';
import { NodemailerMailTransports } from './adapters/smtp/nodemailer-mail-transports.ts';
import { openStorage } from './adapters/storage/open-storage.ts';
import type { SqlStorage } from './adapters/storage/sql/sql-storage.ts';
import { systemClock } from './adapters/system-clock.ts';
import type { Config } from './config/config.ts';
import { InboundIngestor } from './delivery/workers/inbound-ingestor.ts';
import { OutboxDispatcher } from './delivery/workers/outbox-dispatcher.ts';
import { ProcessHeartbeat } from './delivery/workers/process-heartbeat.ts';
import type { ProcessRole } from './domain/processes/role-process.ts';
import type { InboundDeps } from './domain/inbound/inbound-deps.ts';
import type { Deps } from './domain/deps.ts';
import type { DispatchPolicy } from './domain/notifications/dispatch-outbox.ts';
import { inboundRecipientCheck } from './domain/inbound/accepted-recipients.ts';
import type { Clock } from './ports/clock.ts';
import type { MailTransports } from './ports/mail-transport.ts';
import type { PasswordHasher } from './ports/password-hasher.ts';

export interface Parley {
  config: Readonly<Config>;
  deps: Deps;
  storage: SqlStorage;
  transports: MailTransports;
  log: Logger;
  close(): Promise<void>;
}

export interface ParleyOverrides {
  clock?: Clock;
  hasher?: PasswordHasher;
  storage?: SqlStorage;
  transports?: MailTransports;
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

export function createParley(config: Readonly<Config>, overrides: ParleyOverrides = {}): Parley {
  const log = overrides.log ?? createLogger(config);
  const storage =
    overrides.storage ??
    openStorage(config.databaseUrl, (error) =>
      log.warn({ err: error }, 'database connection dropped; it will be replaced'),
    );
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
    site: { publicUrl: config.publicUrl, mailDomain: config.mailDomain },
  };
  return {
    config,
    deps,
    storage,
    transports,
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

export function createDispatcher(parley: Parley, options: { pollMs?: number } = {}): OutboxDispatcher {
  return new OutboxDispatcher({ ...parley.deps, transports: parley.transports }, dispatchPolicy(parley.config), {
    pollMs: options.pollMs ?? 2000,
    log: parley.log,
  });
}

/** Parley's version (package.json), as the running processes report it. */
export const PARLEY_VERSION: string = (
  JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as { version: string }
).version;

/** The heartbeat of a role process (`parley serve`, `dispatch`, `ingest`): a row per role it performs. */
export function createHeartbeat(parley: Parley, roles: readonly ProcessRole[]): ProcessHeartbeat {
  return new ProcessHeartbeat(parley.deps, roles, { version: PARLEY_VERSION, log: parley.log });
}

/** The built-in mail catcher; what it receives is kept in the data folder (`mail-catcher/`), across restarts. */
export function createMailCatcher(config: Pick<Config, 'dataDir'>): MailCatcher {
  return new MailCatcher({ folder: join(config.dataDir, 'mail-catcher') });
}

/** The mail parser inbound processing uses, on its own (`parley reply-text`). */
export function createMailParser(): MailParser {
  return new MailparserMailParser();
}

export function inboundDeps(parley: Parley): InboundDeps {
  return {
    ...parley.deps,
    mailParser: new MailparserMailParser(),
    policy: { perSenderPerMinute: parley.config.inboundPerSenderPerMinute, maxAttempts: 5 },
    senderVerifier: new MailauthSenderVerifier({ trustedAuthservIds: parley.config.inboundTrustedAuthservIds }),
  };
}

/**
 * Inbound mail: the ingestor (processing, and the sweep of mails left `received`) and, when PARLEY_INBOUND_SMTP is
 * set (or `listen` is given), the SMTP receiver storing into it. `start()` resolves with the receiver's port.
 */

export function createInbound(
  parley: Parley,
  options: {
    listen?: { host: string; port: number } | null;
    sweepMs?: number;
    concurrency?: number;
    imapCheckMs?: number;
  } = {},
): { ingestor: InboundIngestor; imap: ImapSupervisor; start(): Promise<number | null>; stop(): Promise<void> } {
  const ingestor = new InboundIngestor(inboundDeps(parley), {
    sweepMs: options.sweepMs ?? 30_000,
    concurrency: options.concurrency ?? 8,
    log: parley.log,
    keepRawDays: parley.config.inboundKeepRawDays,
  });
  const listen = options.listen === undefined ? parley.config.inboundSmtp : options.listen;
  const { inboundTls: tls, inboundAuth: auth } = parley.config;
  if (listen && !auth && !/^(127\.|::1$|localhost$)/.test(listen.host)) {
    parley.log.warn(
      { listen },
      'inbound SMTP listens beyond loopback without AUTH: keep it behind your MTA or a firewall (PARLEY_INBOUND_AUTH_USER)',
    );
  }
  const receiver = listen
    ? new SmtpReceiver({
        host: listen.host,
        port: listen.port,
        name: parley.config.mailDomain,
        maxBytes: parley.config.inboundMaxBytes,
        maxRecipients: 100,
        dataTimeoutMs: parley.config.inboundDataTimeoutSeconds * 1000,
        maxConnectionsPerAddress: parley.config.inboundMaxConnectionsPerAddress,
        acceptsRecipient: inboundRecipientCheck(parley.config, parley.storage, parley.deps.clock),
        ...(tls ? { tls: { cert: readFileSync(tls.certFile), key: readFileSync(tls.keyFile) } } : {}),
        ...(auth ? { auth } : {}),
        allowInsecureAuth: parley.config.inboundAllowInsecureAuth,
        ...ingestor.receiverHooks(),
      })
    : undefined;
  // The support mailbox over IMAP (parameters 9010–9015), into the same ingestor: stored, then processed.
  const hooks = ingestor.receiverHooks();
  const imap = new ImapSupervisor(parley.deps, {
    checkMs: options.imapCheckMs ?? 30_000,
    log: parley.log,
    createReader: (account) =>
      new ImapMailbox(
        {
          host: account.host,
          port: account.port,
          security: account.security,
          user: account.user,
          password: account.password,
          mailbox: account.mailbox,
          allowInvalidCertificate: account.allowInvalidCertificate,
          maxBytes: parley.config.inboundMaxBytes,
          log: parley.log,
        },
        async (raw) => {
          const id = await hooks.store({
            raw,
            sha256: createHash('sha256').update(raw).digest('hex'),
            envelopeFrom: null,
            envelopeTo: [],
            remoteAddress: `imap:${account.host}`,
          });
          hooks.stored(id);
        },
      ),
  });
  return {
    ingestor,
    imap,
    start: async () => {
      const port = await ingestor.start(receiver);
      await imap.start();
      return port;
    },
    stop: async () => {
      await imap.stop();
      await ingestor.stop();
    },
  };
}
