import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { isIP } from 'node:net';
import { scrubAndCut, scrubError, scrubSecrets, type Credentials } from '../../domain/parameters/secret-scrub.ts';
import { AddressRefused, resolveAllowedAddress } from '../net/allowed-address.ts';
import {
  CERTIFICATE_SENTENCE,
  DELIVERY_SENTENCES,
  handoverFailedSentence,
} from '../../domain/notifications/delivery-results.ts';
import type { buildMimeMessage } from './mime-message.ts';
import type { openSession, PoolReply, SmtpPool } from './smtp-pool.ts';
import {
  DeliveryFailure,
  MailWithdrawn,
  type MailTransport,
  type MailTransports,
  type OutgoingMail,
  type SendOptions,
  type SmtpSettings,
  type VerifyResult,
} from '../../ports/mail-transport.ts';
import { loadOnce } from '../load-once.ts';

/** The pool and MIME builder, which load Nodemailer: imported with the first transport, once. */
const nodemailerParts = loadOnce(() => Promise.all([import('./smtp-pool.ts'), import('./mime-message.ts')]));

export interface TransportOptions {
  /** Connections kept open per account. */
  maxConnections: number;
  connectionTimeoutMs: number;
  greetingTimeoutMs: number;
  socketTimeoutMs: number;
  /** A pooled session without work for this long is closed (default 10 s). */
  idleMs?: number;
  /** Our host name in EHLO. */
  clientName?: string;
  /**
   * Verify's time limit for each phase (connect and greeting, then each answer), and the least time a failed verify
   * takes to answer, so a closed port and a silent one answer alike (default: the greeting timeout, at most 10 s).
   */
  verifyTimeoutMs?: number;
}

export const DEFAULT_TRANSPORT_OPTIONS: TransportOptions = {
  maxConnections: 5,
  connectionTimeoutMs: 30_000,
  greetingTimeoutMs: 30_000,
  socketTimeoutMs: 60_000,
  idleMs: 10_000,
};

interface NodemailerError extends Error {
  code?: string;
  responseCode?: number;
  response?: string;
  command?: string;
}

/** The one answer of a failed verify, whatever closed the connection (see `verify`). */
export const VERIFY_FAILED =
  'Could not verify the SMTP account with that server. Check the host, port, security and the user and password; the server log says what went wrong.';

const NETWORK_SENTENCES: Record<string, string> = {
  ECONNECTION: DELIVERY_SENTENCES.CONNECTION_CLOSED,
  ETIMEDOUT: DELIVERY_SENTENCES.TIMEOUT,
  ESOCKET: DELIVERY_SENTENCES.CONNECTION_FAILED,
  EDNS: DELIVERY_SENTENCES.DNS_FAILED,
  ETLS: DELIVERY_SENTENCES.TLS_FAILED,
  EPROTOCOL: DELIVERY_SENTENCES.NOT_SMTP,
};

/** The credentials sent on a session of these settings (what a server could echo back). */
function credentialsOf(s: SmtpSettings): Credentials {
  if (s.oauth2) return { user: s.oauth2.user, password: s.oauth2.accessToken };
  return { user: s.auth ? s.user : null, password: s.auth ? s.password : null };
}

/**
 * A mail with copies the server took for some recipients only. Its own recipient refused: a failure (5xx) or a
 * deferral (4xx; the copies may then receive it again), the reply saying the copies got it. Only copies refused:
 * sent, the reply naming them.
 */
export function partialReply(
  mail: Pick<OutgoingMail, 'to'>,
  reply: PoolReply,
  credentials: Credentials | readonly Credentials[],
): string {
  if (reply.refused.length === 0) return reply.response;
  const to = mail.to.address.toLowerCase();
  const own = reply.refused.find((r) => r.recipient.toLowerCase() === to);
  if (own) {
    const text = scrubAndCut(`${own.response} (the people in Cc received it)`, credentials, 1000);
    throw new DeliveryFailure('Recipient refused', own.code === null || own.code >= 500, text);
  }
  return `${reply.response} (refused: ${reply.refused.map((r) => `${r.recipient}: ${r.response}`).join('; ')})`;
}

/**
 * Turns a Nodemailer error into a DeliveryFailure: 5xx (including a refused login) and a refused envelope are
 * permanent; 4xx, resets, timeouts and unknown outcomes are temporary. The reply keeps the SMTP answer, or our own
 * sentence for network errors, with every form of the credentials removed (the error itself too, as it is kept as
 * the cause). Whatever a server said before greeting with 220 is never kept: it may be another service's banner.
 */
export function classifySendError(error: unknown, credentials: Credentials | readonly Credentials[]): DeliveryFailure {
  const e = scrubError(error as NodemailerError, credentials);
  if (e instanceof DeliveryFailure) return e;
  const clean = (text: string) => scrubAndCut(text, credentials, 1000);
  if (e?.code === 'EAUTH' && (e as { originalCode?: string }).originalCode === 'MAILBOX_OAUTH_RECONNECT') {
    // A refused access token whose renewal failed (the grant revoked): the mailbox's own sentence, with the reason.
    return new DeliveryFailure('OAuth2 grant refused', false, clean(e.message), { cause: e, account: true });
  }
  if (e?.code === 'EAUTH' || e?.code === 'ENOAUTH') {
    // A refused login is the account's problem: the mail waits (deferred) until an administrator fixes it.
    const reply = clean(`${e.response ?? DELIVERY_SENTENCES.AUTH_REFUSED}`);
    return new DeliveryFailure('Authentication refused', false, reply, { cause: e, account: true });
  }
  if (e?.command === 'CONN' && e.response) {
    const sentence = DELIVERY_SENTENCES.NO_GREETING;
    return new DeliveryFailure('No SMTP greeting', false, sentence, { cause: e });
  }
  if (typeof e?.responseCode === 'number') {
    return new DeliveryFailure(
      `SMTP ${e.responseCode}`,
      e.responseCode >= 500,
      clean(`${e.response ?? e.responseCode}`),
      { cause: e },
    );
  }
  if (e?.code === 'EENVELOPE') return new DeliveryFailure('Refused envelope', true, clean(e.message), { cause: e });
  const sentence = NETWORK_SENTENCES[e?.code ?? ''] ?? handoverFailedSentence(e?.code ?? 'unknown error');
  const detail = /certificate|self[- ]signed|unable to verify/i.test(e?.message ?? '') ? CERTIFICATE_SENTENCE : '';
  return new DeliveryFailure(sentence, false, sentence + detail, { cause: e });
}

/** What went wrong, for the server log only: codes and the server's answer, credentials removed. */
function describeForLog(error: unknown, credentials: Credentials | readonly Credentials[]): string {
  const e = error as NodemailerError & { originalCode?: string };
  if (e instanceof DeliveryFailure) return scrubSecrets(`${e.message}: ${e.reply}`, credentials);
  const parts = [e?.code, e?.originalCode, e?.command, e?.responseCode, e?.response ?? e?.message].filter(
    (p) => p !== undefined && p !== '',
  );
  return scrubAndCut(parts.join(' '), credentials, 1000);
}

async function resolveAllowed(host: string): Promise<string> {
  try {
    return await resolveAllowedAddress(host, 'SMTP host');
  } catch (error) {
    if (!(error instanceof AddressRefused)) throw error;
    if (error.reason === 'forbidden') throw new DeliveryFailure('Forbidden host', true, error.message);
    throw new DeliveryFailure('DNS', false, NETWORK_SENTENCES.EDNS!, { cause: error });
  }
}

/** Nodemailer's SMTP connection options for the stored account, connecting to the address that was checked. */
function connectionOptions(s: SmtpSettings, address: string, options: TransportOptions): SMTPConnectionOptions {
  const name = isIP(s.host.replace(/^\[|\]$/g, '')) ? undefined : s.host;
  return {
    host: address,
    port: s.port,
    secure: s.security === 'tls',
    requireTLS: s.security === 'starttls',
    ignoreTLS: s.security === 'none',
    ...(name ? { servername: name } : {}),
    tls: { rejectUnauthorized: !s.allowInvalidCertificate, ...(name ? { servername: name } : {}) },
    connectionTimeout: options.connectionTimeoutMs,
    greetingTimeout: options.greetingTimeoutMs,
    socketTimeout: options.socketTimeoutMs,
    ...(options.clientName ? { name: options.clientName } : {}),
    logger: false,
    debug: false,
  };
}

class NodemailerTransport implements MailTransport {
  private pool: Promise<{
    pool: SmtpPool;
    connection: SMTPConnectionOptions;
    build: typeof buildMimeMessage;
    openSession: typeof openSession;
  }>;
  /** Creating the transport failed (DNS, a refused host): the next use makes a new one. */
  broken = false;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly options: TransportOptions,
  ) {
    this.pool = this.create();
    this.pool.catch(() => (this.broken = true)); // each use awaits it and reports its failure
  }

  /** Access tokens this transport's pool renewed to (OAuth2): scrubbed from replies and errors as the first one is. */
  private readonly renewed = new Set<string>();

  private get auth() {
    const s = this.settings;
    if (s.oauth2) {
      const renew = s.oauth2.renew;
      return {
        user: s.oauth2.user,
        accessToken: s.oauth2.accessToken,
        renew:
          renew &&
          (async (stale: string) => {
            const token = await renew(stale);
            this.renewed.add(token);
            return token;
          }),
      };
    }
    return s.auth && s.user ? { user: s.user, pass: s.password ?? '' } : undefined;
  }

  /** Every credential a session of this transport may have sent. */
  private credentials(): Credentials[] {
    const user = this.settings.oauth2?.user ?? null;
    return [credentialsOf(this.settings), ...[...this.renewed].map((password) => ({ user, password }))];
  }

  private async create() {
    const connection = connectionOptions(this.settings, await resolveAllowed(this.settings.host), this.options);
    // Nodemailer loads with the first transport: serve's main thread, whose dispatcher sends from its own thread, does
    // not load it until an administrator checks an account.
    const [smtp, mime] = await nodemailerParts();
    return {
      connection,
      build: mime.buildMimeMessage,
      openSession: smtp.openSession,
      pool: new smtp.SmtpPool({
        connection,
        auth: this.auth,
        maxConnections: this.options.maxConnections,
        idleMs: this.options.idleMs ?? 10_000,
      }),
    };
  }

  async send(mail: OutgoingMail, options: SendOptions = {}): Promise<{ reply: string }> {
    // Read after the send, not before: a token renewed during it is removed from its reply too.
    const credentials = () => this.credentials();
    try {
      const { pool, build } = await this.pool;
      const reply = await pool.send(
        {
          from: mail.envelopeFrom ?? mail.from.address,
          to: [mail.to.address, ...(mail.cc ?? []).map((c) => c.address)],
        },
        build(mail, new Date()),
        options.stillWanted,
      );
      return { reply: scrubAndCut(partialReply(mail, reply, credentials()), credentials(), 1000) };
    } catch (error) {
      if (error instanceof MailWithdrawn) throw error;
      throw classifySendError(error, credentials());
    }
  }

  /**
   * Connects and signs in (when authentication is on), nothing more. Every failure to reach or use the server
   * answers in the same words, and no sooner than `verifyTimeoutMs` after the start, so verify cannot tell a closed
   * port from a silent one or from a server that refused the login; what happened goes to `detail`, for the log.
   */
  async verify(): Promise<VerifyResult> {
    const started = Date.now();
    const budget = this.options.verifyTimeoutMs ?? Math.min(10_000, this.options.greetingTimeoutMs);
    try {
      const { connection, openSession } = await this.pool;
      const limits = {
        connectionTimeout: Math.min(connection.connectionTimeout ?? budget, budget),
        greetingTimeout: Math.min(connection.greetingTimeout ?? budget, budget),
        socketTimeout: Math.min(connection.socketTimeout ?? budget, budget),
      };
      const session = await openSession({ ...connection, ...limits }, this.auth);
      const signedIn = session.authenticated === true;
      session.quit();
      const message = signedIn
        ? 'Connected to the SMTP server and signed in.'
        : this.auth
          ? 'Connected to the SMTP server; it offered no sign-in, so the user and password were not used.'
          : 'Connected to the SMTP server (no sign-in is configured, so none was tried).';
      return { ok: true, code: 'OK', signedIn, message };
    } catch (error) {
      if (error instanceof DeliveryFailure && error.permanent) {
        return { ok: false, code: 'SMTP_HOST_FORBIDDEN', signedIn: false, message: error.reply };
      }
      // Read now: a token renewed while signing in is removed too.
      const credentials = this.credentials();
      const detail = describeForLog(scrubError(error, credentials), credentials);
      const wait = started + budget - Date.now();
      if (wait > 0) await new Promise((resolve) => setTimeout(resolve, wait));
      return { ok: false, code: 'SMTP_VERIFY_FAILED', signedIn: false, message: VERIFY_FAILED, detail };
    }
  }

  close(): void {
    this.pool.then(({ pool }) => pool.close()).catch(() => {});
  }
}

/** Accounts whose pools are kept at once: the default mailbox and every team's; beyond it, the least recently used goes. */
const MAX_ACCOUNTS = 32;

/**
 * One pooled transport per account (the default mailbox's and each team's, keyed by their settings, password
 * included), so a batch sending from several mailboxes keeps each pool; a changed account gets a new one and the old
 * goes idle (its connections close after `idleMs`) until it is the least recently used.
 */
export class NodemailerMailTransports implements MailTransports {
  private readonly pools = new Map<string, NodemailerTransport>();

  constructor(private readonly options: TransportOptions = DEFAULT_TRANSPORT_OPTIONS) {}

  forSettings(settings: SmtpSettings): MailTransport {
    const key = JSON.stringify(settings);
    let transport = this.pools.get(key);
    if (transport?.broken) transport.close();
    if (!transport || transport.broken) transport = new NodemailerTransport(settings, this.options);
    // Most recently used last: a Map keeps insertion order.
    this.pools.delete(key);
    this.pools.set(key, transport);
    for (const [old, pool] of this.pools) {
      if (this.pools.size <= MAX_ACCOUNTS) break;
      pool.close();
      this.pools.delete(old);
    }
    return transport;
  }

  /** A transport that is not kept: for verifying settings before or after they are saved. */
  oneOff(settings: SmtpSettings): MailTransport {
    return new NodemailerTransport(settings, { ...this.options, maxConnections: 1 });
  }

  closeAll(): void {
    for (const transport of this.pools.values()) transport.close();
    this.pools.clear();
  }
}
