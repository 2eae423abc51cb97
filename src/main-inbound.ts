/**
 * Composition root, receiving side: the inbound mail machinery (SMTP receiver, IMAP reader, mail parser, sender
 * verification, the ingestor) and the built-in mail catcher. Apart from main.ts so that the processes that never
 * receive mail (`parley dispatch`, serve's dispatcher thread or child) do not load mailauth, mailparser, imapflow and
 * smtp-server: `parley serve` and `parley ingest` import this module when they start.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ImapMailbox } from './adapters/inbound/imap-mailbox.ts';
import { MailauthSenderVerifier } from './adapters/inbound/mailauth-sender-verifier.ts';
import { MailparserMailParser } from './adapters/inbound/mailparser-mail-parser.ts';
import { SmtpReceiver } from './adapters/inbound/smtp-receiver.ts';
import { MailCatcher } from './adapters/smtp/mail-catcher.ts';
import type { Config } from './config/config.ts';
import { ImapSupervisor } from './delivery/workers/imap-supervisor.ts';
import { InboundIngestor } from './delivery/workers/inbound-ingestor.ts';
import { inboundRecipientCheck } from './domain/inbound/accepted-recipients.ts';
import { withAccessTokens } from './domain/mailboxes/oauth/access-token.ts';
import type { InboundDeps } from './domain/inbound/inbound-deps.ts';
import type { Parley } from './main.ts';
import type { MailParser } from './ports/inbound.ts';

/** How often an ingestor looks for mail no live process holds (see `createInbound`). */
const SWEEP_MS = 2_000;

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
    policy: {
      perSenderPerMinute: parley.config.inboundPerSenderPerMinute,
      maxAttempts: 5,
      leaseSeconds: parley.config.leaseSeconds,
      ownRecipients: parley.config.inboundRecipients,
    },
    senderVerifier: new MailauthSenderVerifier({ trustedAuthservIds: parley.config.inboundTrustedAuthservIds }),
  };
}

/**
 * Inbound mail: the ingestor (processing, and the sweep of mails left `received`) and, when PARLEY_INBOUND_SMTP is
 * set (or `listen` is given), the SMTP receiver storing into it. `start()` resolves with the receiver's port.
 *
 * The sweep runs every 2 s, and just after a lease that ends sooner: a dead process's mail is begun as its lease
 * ends, within PARLEY_LEASE_SECONDS of the death (10 s by default). Its reads touch only the few mails still
 * `received`.
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
    sweepMs: options.sweepMs ?? SWEEP_MS,
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
  // A team mailbox read with OAuth2 asks for a live access token at each connection (refreshed once across processes).
  const tokens = withAccessTokens(parley.deps);
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
          ...(account.oauthMailboxId !== undefined && tokens.accessToken
            ? { oauth2: tokens.accessToken.bind(null, account.oauthMailboxId) }
            : {}),
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
        async ({ headers, size, maxBytes }) => {
          await ingestor.holdTooLarge({
            mail: {
              raw: headers,
              sha256: createHash('sha256').update(headers).digest('hex'),
              envelopeFrom: null,
              envelopeTo: [],
              remoteAddress: `imap:${account.host}`,
              size,
            },
            maxBytes,
          });
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
