import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import type { SMTPConnectionOptions } from 'nodemailer/lib/smtp-connection';
import { CERTIFICATE_SENTENCE, DELIVERY_SENTENCES, handoverFailedSentence } from '../../domain/notifications/delivery-results.ts';
import { isForbiddenHost } from '../../domain/parameters/parameter-catalogue.ts';
import { buildMimeMessage } from './mime-message.ts';
import { openSession, SmtpPool } from './smtp-pool.ts';
import { DeliveryFailure, type MailTransport, type MailTransports, type OutgoingMail, type SmtpSettings, type VerifyResult } from '../../ports/mail-transport.ts';

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

const NETWORK_SENTENCES: Record<string, string> = {
  ECONNECTION: DELIVERY_SENTENCES.CONNECTION_CLOSED,
  ETIMEDOUT: DELIVERY_SENTENCES.TIMEOUT,
  ESOCKET: DELIVERY_SENTENCES.CONNECTION_FAILED,
  EDNS: DELIVERY_SENTENCES.DNS_FAILED,
  ETLS: DELIVERY_SENTENCES.TLS_FAILED,
  EPROTOCOL: DELIVERY_SENTENCES.NOT_SMTP,
};

/** Removes a secret from any text that might be stored or shown. */
function scrub(text: string, secret: string | null): string {
  return secret ? text.split(secret).join('[redacted]') : text;
}

/**
 * Turns a Nodemailer error into a DeliveryFailure: 5xx (including a refused login) and a refused envelope are
 * permanent; 4xx, resets, timeouts and unknown outcomes are temporary. The reply keeps the SMTP answer, or our own
 * sentence for network errors, with the password removed.
 */
export function classifySendError(error: unknown, password: string | null): DeliveryFailure {
  const e = error as NodemailerError;
  if (e instanceof DeliveryFailure) return e;
  if (e?.code === 'EAUTH' || e?.code === 'ENOAUTH') {
    // A refused login is the account's problem: the mail waits (deferred) until an administrator fixes it.
    const reply = scrub(`${e.response ?? DELIVERY_SENTENCES.AUTH_REFUSED}`.slice(0, 1000), password);
    return new DeliveryFailure('Authentication refused', false, reply, { cause: error, account: true });
  }
  if (typeof e?.responseCode === 'number') {
    const reply = scrub(`${e.response ?? e.responseCode}`.slice(0, 1000), password);
    return new DeliveryFailure(`SMTP ${e.responseCode}`, e.responseCode >= 500, reply, { cause: error });
  }
  if (e?.code === 'EENVELOPE') return new DeliveryFailure('Refused envelope', true, scrub(e.message, password), { cause: error });
  const sentence = NETWORK_SENTENCES[e?.code ?? ''] ?? handoverFailedSentence(e?.code ?? 'unknown error');
  const detail = /certificate|self[- ]signed|unable to verify/i.test(e?.message ?? '') ? CERTIFICATE_SENTENCE : '';
  return new DeliveryFailure(sentence, false, sentence + detail, { cause: error });
}

async function resolveAllowed(host: string): Promise<string> {
  if (isForbiddenHost(host)) throw new DeliveryFailure('Forbidden host', true, DELIVERY_SENTENCES.HOST_FORBIDDEN);
  if (isIP(host.replace(/^\[|\]$/g, ''))) return host.replace(/^\[|\]$/g, '');
  let addresses: { address: string }[];
  try {
    addresses = await lookup(host, { all: true });
  } catch (cause) {
    throw new DeliveryFailure('DNS', false, NETWORK_SENTENCES.EDNS!, { cause });
  }
  // Every address the name resolves to is checked, and the connection goes to the address checked.
  if (addresses.some((a) => isForbiddenHost(a.address))) {
    throw new DeliveryFailure('Forbidden host', true, DELIVERY_SENTENCES.HOST_RESOLVES_FORBIDDEN);
  }
  return addresses[0]!.address;
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
  private pool: Promise<{ pool: SmtpPool; connection: SMTPConnectionOptions }>;
  /** Creating the transport failed (DNS, a refused host): the next use makes a new one. */
  broken = false;

  constructor(
    private readonly settings: SmtpSettings,
    private readonly options: TransportOptions,
  ) {
    this.pool = this.create();
    this.pool.catch(() => (this.broken = true)); // each use awaits it and reports its failure
  }

  private get auth() {
    const s = this.settings;
    return s.auth && s.user ? { user: s.user, pass: s.password ?? '' } : undefined;
  }

  private async create() {
    const connection = connectionOptions(this.settings, await resolveAllowed(this.settings.host), this.options);
    return { connection, pool: new SmtpPool({ connection, auth: this.auth, maxConnections: this.options.maxConnections, idleMs: this.options.idleMs ?? 10_000 }) };
  }

  async send(mail: OutgoingMail): Promise<{ reply: string }> {
    try {
      const { pool } = await this.pool;
      const reply = await pool.send({ from: mail.from.address, to: [mail.to.address] }, buildMimeMessage(mail, new Date()));
      return { reply: scrub(reply, this.settings.password).slice(0, 1000) };
    } catch (error) {
      throw classifySendError(error, this.settings.password);
    }
  }

  async verify(): Promise<VerifyResult> {
    try {
      const { connection } = await this.pool;
      (await openSession(connection, this.auth)).quit();
      return { ok: true, code: 'OK', message: 'Connected to the SMTP server and signed in.' };
    } catch (error) {
      const e = error as NodemailerError;
      if (e instanceof DeliveryFailure) {
        return e.permanent
          ? { ok: false, code: 'SMTP_HOST_FORBIDDEN', message: e.reply }
          : { ok: false, code: 'SMTP_UNREACHABLE', message: e.reply };
      }
      if (e.code === 'EAUTH' || e.code === 'ENOAUTH') return { ok: false, code: 'SMTP_AUTH_FAILED', message: 'The SMTP server refused the user name or password.' };
      if (e.code === 'ETLS' || /certificate|self[- ]signed|TLS/i.test(e.message)) {
        return { ok: false, code: 'SMTP_TLS_FAILED', message: 'The secure connection failed: the server certificate could not be verified, or TLS is not offered as configured.' };
      }
      if (e.code === 'ETIMEDOUT') return { ok: false, code: 'SMTP_TIMEOUT', message: 'The SMTP server did not answer in time.' };
      if (e.code === 'EPROTOCOL') return { ok: false, code: 'SMTP_PROTOCOL_ERROR', message: 'The server at that address does not speak SMTP as expected.' };
      return { ok: false, code: 'SMTP_UNREACHABLE', message: 'The SMTP server could not be reached at that host and port.' };
    }
  }

  close(): void {
    this.pool.then(({ pool }) => pool.close()).catch(() => {});
  }
}

/** One pooled transport for the current settings; replaced (and the old pool closed) when the settings change. */
export class NodemailerMailTransports implements MailTransports {
  private current: { key: string; transport: NodemailerTransport } | undefined;

  constructor(private readonly options: TransportOptions = DEFAULT_TRANSPORT_OPTIONS) {}

  forSettings(settings: SmtpSettings): MailTransport {
    const key = JSON.stringify(settings);
    if (this.current?.key !== key || this.current.transport.broken) {
      this.current?.transport.close();
      this.current = { key, transport: new NodemailerTransport(settings, this.options) };
    }
    return this.current.transport;
  }

  /** A transport that is not kept: for verifying settings before or after they are saved. */
  oneOff(settings: SmtpSettings): MailTransport {
    return new NodemailerTransport(settings, { ...this.options, maxConnections: 1 });
  }

  closeAll(): void {
    this.current?.transport.close();
    this.current = undefined;
  }
}
