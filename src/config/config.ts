import { chmodSync, existsSync, linkSync, mkdirSync, readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join, resolve } from 'node:path';
import { createSecureContext } from 'node:tls';
import { parseTrustedProxies } from './trusted-proxies.ts';

export interface Config {
  databaseUrl: string;
  /** PostgreSQL: connections each pool of this process may open (PARLEY_DATABASE_POOL_SIZE); SQLite: unused. */
  databasePoolSize: number;
  host: string;
  port: number;
  publicUrl: string;
  mailDomain: string;
  dataDir: string;
  secretKey: string;
  /** Where the secret key came from, for the start-up line (never the key itself). */
  secretKeySource: 'environment' | 'key file' | 'generated key file';
  logLevel: string;
  retryBaseSeconds: number;
  retryMaxSeconds: number;
  giveUpHours: number;
  /** Where the SMTP receiver of reply mail listens (PARLEY_INBOUND_SMTP=host:port), or null when off. */
  inboundSmtp: { host: string; port: number } | null;
  /** Largest inbound mail accepted, in bytes. */
  inboundMaxBytes: number;
  /** Inbound mails per sender address and minute before the rest are held for review. */
  inboundPerSenderPerMinute: number;
  /** Days the original of a decided inbound mail is kept; 0: for ever. */
  inboundKeepRawDays: number;
  /**
   * Recipients the SMTP receiver accepts besides the mail domain and the support address (PARLEY_INBOUND_RECIPIENTS):
   * lower-case addresses (`help@example.com`) and whole domains (`@example.com`).
   */
  inboundRecipients: readonly string[];
  /**
   * authserv-ids whose `Authentication-Results` headers are believed (PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS), e.g. the
   * organisation's MTA in front of Parley; empty: Parley checks DKIM, SPF and DMARC itself.
   */
  inboundTrustedAuthservIds: readonly string[];
  /** PEM files of the SMTP receiver's certificate and key (STARTTLS offered), or null: no TLS. */
  inboundTls: { certFile: string; keyFile: string } | null;
  /** The account the SMTP receiver requires (AUTH PLAIN/LOGIN before MAIL), or null: no AUTH. */
  inboundAuth: { user: string; password: string } | null;
  /** Whether the SMTP receiver accepts AUTH without TLS. */
  inboundAllowInsecureAuth: boolean;
  production: boolean;
  /**
   * Where `parley serve` runs the outbox dispatcher: a worker thread of its own (default), a process of its own, its
   * HTTP thread, or nowhere.
   */
  dispatcher: 'thread' | 'child' | 'inline' | 'off';
  /**
   * How many nice levels a dispatcher thread or child of `parley serve` lowers its CPU priority by (Linux; 0: not
   * at all), so that HTTP requests go first when both want a core.
   */
  dispatcherNice: number;
  /**
   * How long a dispatcher's claim on a mail holds before another may take it over (renewed every third of it while
   * the dispatcher lives): a dead dispatcher's mail waits at most this long.
   */
  leaseSeconds: number;
  /** Connection, greeting and socket timeouts of the SMTP client. */
  smtpTimeoutSeconds: number;
  /** The built-in mail catcher's address, or null when off. */
  mailCatcher: { host: string; port: number } | null;
  /**
   * Slow HTTP clients are cut off: the request headers must arrive within `headersSeconds`, the whole request (body
   * included) within `requestSeconds`, and a connection that sends nothing for `idleSeconds` is closed (longer than the
   * 25-second heartbeat of the live-update stream, which no timeout cuts).
   */
  httpTimeouts: { headersSeconds: number; requestSeconds: number; idleSeconds: number };
  /** When set, GET /metrics requires `Authorization: Bearer <this>` (PARLEY_METRICS_TOKEN). */
  metricsToken: string | null;
  /**
   * The reverse proxies whose `X-Forwarded-For` and `X-Forwarded-Proto` are believed (PARLEY_TRUSTED_PROXIES):
   * addresses and CIDR ranges, IPv4 or IPv6; empty: the connecting address is the client's.
   */
  trustedProxies: readonly string[];
  /** The longest an inbound SMTP DATA may take, start to end, before the connection is closed. */
  inboundDataTimeoutSeconds: number;
  /** Simultaneous connections to the SMTP receiver from one client address. */
  inboundMaxConnectionsPerAddress: number;
}

/**
 * Connections a PostgreSQL pool of one process may open. PostgreSQL runs best with about twice its cores' worth of
 * statements at once: more backends only wait for each other and for a core (docs/operations.md, "Pool size"). The
 * PostgreSQL adapter's own default (`POOL_SIZE`) is the same.
 */
export const DEFAULT_POOL_SIZE = 10;

export class ConfigError extends Error {
  override name = 'ConfigError';
}

function integer(env: NodeJS.ProcessEnv, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new ConfigError(`${name} must be a whole number from ${min} to ${max} (got "${raw}").`);
  return n;
}

/** The key for secrets at rest and signed tokens: PARLEY_SECRET_KEY, else a key generated once into the data folder. */
function secretKey(
  env: NodeJS.ProcessEnv,
  dataDir: string,
  createKey: boolean,
): Pick<Config, 'secretKey' | 'secretKeySource'> {
  const fromEnv = env.PARLEY_SECRET_KEY;
  if (fromEnv) {
    if (fromEnv.length < 32)
      throw new ConfigError('PARLEY_SECRET_KEY must be at least 32 characters (e.g. `openssl rand -base64 48`).');
    return { secretKey: fromEnv, secretKeySource: 'environment' };
  }
  const file = join(dataDir, 'secret.key');
  let source: Config['secretKeySource'] = 'key file';
  if (!existsSync(file) && !createKey)
    throw new ConfigError(
      `There is no secret key: PARLEY_SECRET_KEY is unset and ${file} does not exist (restore it from a backup, or set PARLEY_DATA_DIR to the data folder).`,
    );
  if (!existsSync(file)) {
    mkdirSync(dataDir, { recursive: true });
    const temporary = `${file}.${process.pid}.tmp`;
    writeFileSync(temporary, `${randomBytes(48).toString('base64url')}\n`, { mode: 0o600 });
    chmodSync(temporary, 0o600);
    try {
      // A hard link publishes the whole key at once, and fails if another process published one first.
      linkSync(temporary, file);
      source = 'generated key file';
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    } finally {
      unlinkSync(temporary);
    }
  }
  const key = readFileSync(file, 'utf8').trim();
  if (key.length < 32)
    throw new ConfigError(`${file} holds no usable key (under 32 characters); restore it from a backup or remove it.`);
  return { secretKey: key, secretKeySource: source };
}

/** `off`, `on` (127.0.0.1:2525) or `host:port`; on by default except in production. Loopback only. */
function mailCatcher(value: string | undefined, production: boolean): Config['mailCatcher'] {
  const v = (value ?? (production ? 'off' : 'on')).trim();
  if (v === 'off' || v === '') return null;
  if (v === 'on') return { host: '127.0.0.1', port: 2525 };
  const m = /^(127\.\d{1,3}\.\d{1,3}\.\d{1,3}|localhost|\[::1\]):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535)
    throw new ConfigError(
      `PARLEY_MAIL_CATCHER must be off, on or a loopback host:port such as 127.0.0.1:2525 (got "${v}").`,
    );
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

/** `host:port` (IPv6 in brackets); null when unset or `off`. */
function listenAddress(name: string, value: string | undefined): { host: string; port: number } | null {
  const v = (value ?? '').trim();
  if (v === '' || v === 'off') return null;
  const m = /^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+):(\d{1,5})$/.exec(v);
  if (!m || Number(m[2]) > 65535)
    throw new ConfigError(`${name} must be host:port, such as 127.0.0.1:2526, or off (got "${v}").`);
  return { host: m[1]!.replace(/^\[|\]$/g, ''), port: Number(m[2]) };
}

const DOMAIN = /^[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*$/;

/** PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS: comma-separated host-like names, lower-cased. */
function trustedAuthservIds(value: string | undefined): string[] {
  const ids = (value ?? '')
    .split(',')
    .map((s) => s.trim().toLowerCase())
    .filter((s) => s.length > 0);
  for (const id of ids) {
    if (!/^[a-z0-9](?:[a-z0-9.-]{0,252})$/.test(id)) {
      throw new ConfigError(
        `PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS must be comma-separated server names as they appear in Authentication-Results (mx.example.com) (got "${id}").`,
      );
    }
  }
  return ids;
}

/** PARLEY_INBOUND_RECIPIENTS: comma-separated addresses and `@domain` entries, lower-cased. */
function inboundRecipients(value: string | undefined): string[] {
  const entries = (value ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter((e) => e !== '');
  return entries.map((entry) => {
    const at = entry.lastIndexOf('@');
    const local = entry.slice(0, at);
    const domain = entry.slice(at + 1);
    if (at < 0 || !DOMAIN.test(domain) || !/^[^\s@<>(),;:"\\[\]]*$/.test(local)) {
      throw new ConfigError(
        `PARLEY_INBOUND_RECIPIENTS must be comma-separated addresses (help@example.com) or domains (@example.com) (got "${entry}").`,
      );
    }
    return entry.toLowerCase();
  });
}

function readPem(name: string, path: string): Buffer {
  let pem: Buffer;
  try {
    pem = readFileSync(path);
  } catch (error) {
    throw new ConfigError(
      `${name}: cannot read ${path} (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`,
    );
  }
  if (!pem.includes('-----BEGIN ')) throw new ConfigError(`${name}: ${path} is not a PEM file.`);
  return pem;
}

/** PARLEY_INBOUND_TLS_CERT and _KEY: both or neither; readable PEM files that belong together. */
function inboundTls(env: NodeJS.ProcessEnv): Config['inboundTls'] {
  const cert = env.PARLEY_INBOUND_TLS_CERT || '';
  const key = env.PARLEY_INBOUND_TLS_KEY || '';
  if (!cert && !key) return null;
  if (!cert || !key)
    throw new ConfigError(
      'PARLEY_INBOUND_TLS_CERT and PARLEY_INBOUND_TLS_KEY go together: set both (PEM files) or neither.',
    );
  const certFile = resolve(cert);
  const keyFile = resolve(key);
  const certPem = readPem('PARLEY_INBOUND_TLS_CERT', certFile);
  const keyPem = readPem('PARLEY_INBOUND_TLS_KEY', keyFile);
  try {
    createSecureContext({ cert: certPem, key: keyPem });
  } catch (error) {
    throw new ConfigError(
      `PARLEY_INBOUND_TLS_CERT and PARLEY_INBOUND_TLS_KEY are not a usable certificate and its key (${(error as Error).message}).`,
    );
  }
  return { certFile, keyFile };
}

/** PARLEY_INBOUND_AUTH_USER and _PASSWORD: both or neither; over TLS only unless insecure AUTH is allowed. */
function inboundAuth(env: NodeJS.ProcessEnv, tls: boolean, allowInsecure: boolean): Config['inboundAuth'] {
  const user = env.PARLEY_INBOUND_AUTH_USER || '';
  const password = env.PARLEY_INBOUND_AUTH_PASSWORD || '';
  if (!user && !password) return null;
  if (!user || !password)
    throw new ConfigError(
      'PARLEY_INBOUND_AUTH_USER and PARLEY_INBOUND_AUTH_PASSWORD go together: set both or neither.',
    );
  if (!tls && !allowInsecure) {
    throw new ConfigError(
      'PARLEY_INBOUND_AUTH_USER needs TLS (PARLEY_INBOUND_TLS_CERT and PARLEY_INBOUND_TLS_KEY) so the password is not sent in clear, or PARLEY_INBOUND_ALLOW_INSECURE_AUTH=true.',
    );
  }
  return { user, password };
}

function boolean(env: NodeJS.ProcessEnv, name: string, fallback: boolean): boolean {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  throw new ConfigError(`${name} must be true or false (got "${raw}").`);
}

/** PARLEY_HTTP_HEADERS_TIMEOUT_SECONDS, _REQUEST_ and _IDLE_: the headers' limit cannot exceed the whole request's. */
function httpTimeouts(env: NodeJS.ProcessEnv): Config['httpTimeouts'] {
  const headersSeconds = integer(env, 'PARLEY_HTTP_HEADERS_TIMEOUT_SECONDS', 30, 1, 3600);
  const requestSeconds = integer(env, 'PARLEY_HTTP_REQUEST_TIMEOUT_SECONDS', 120, 1, 86_400);
  const idleSeconds = integer(env, 'PARLEY_HTTP_IDLE_TIMEOUT_SECONDS', 60, 30, 86_400);
  if (headersSeconds > requestSeconds)
    throw new ConfigError('PARLEY_HTTP_HEADERS_TIMEOUT_SECONDS must not be above PARLEY_HTTP_REQUEST_TIMEOUT_SECONDS.');
  return { headersSeconds, requestSeconds, idleSeconds };
}

/** PARLEY_METRICS_TOKEN: unset (metrics open, as on loopback) or at least 16 characters. */
function metricsToken(value: string | undefined): string | null {
  if (value === undefined || value === '') return null;
  if (value.length < 16 || /\s/.test(value))
    throw new ConfigError(
      'PARLEY_METRICS_TOKEN must be at least 16 characters without spaces (e.g. `openssl rand -hex 24`).',
    );
  return value;
}

function trustedProxies(value: string | undefined): readonly string[] {
  try {
    return Object.freeze(parseTrustedProxies(value));
  } catch (error) {
    throw new ConfigError((error as Error).message);
  }
}

/** How many mails one sender may have posted in a minute before the rest are held, unless configured. */
export const DEFAULT_INBOUND_PER_SENDER_PER_MINUTE = 20;

/**
 * The only reader of process.env (and of `.env`, when present). Validated once, frozen.
 */
export function loadConfig(
  env: NodeJS.ProcessEnv = process.env,
  /** `createKey: false` (parley doctor): a missing key is an error, not a new key. */
  options: { readDotEnv?: boolean; createKey?: boolean } = {},
): Readonly<Config> {
  if (options.readDotEnv !== false && env === process.env && existsSync('.env')) process.loadEnvFile('.env');
  const dataDir = resolve(env.PARLEY_DATA_DIR || './data');
  const databaseUrl = env.PARLEY_DATABASE_URL || `sqlite:${join(dataDir, 'parley.db')}`;
  if (!/^(sqlite:|postgres(ql)?:\/\/)/.test(databaseUrl)) {
    throw new ConfigError('PARLEY_DATABASE_URL must be sqlite:<path> or postgres://user@host:port/database.');
  }
  const host = env.PARLEY_HOST || '127.0.0.1';
  const port = integer(env, 'PARLEY_PORT', 8080, 0, 65535);
  const publicUrl = (env.PARLEY_PUBLIC_URL || `http://${host.includes(':') ? `[${host}]` : host}:${port}`).replace(
    /\/+$/,
    '',
  );
  let publicHost: string;
  try {
    publicHost = new URL(publicUrl).hostname;
  } catch {
    throw new ConfigError(`PARLEY_PUBLIC_URL is not a URL (got "${publicUrl}").`);
  }
  // An address is no mail domain (reply+…@127.0.0.1 is not an address): an IP-only install gets "localhost".
  const hostOnly = publicHost.replace(/^\[|\]$/g, '');
  const mailDomain = env.PARLEY_MAIL_DOMAIN || (/^[\d.]+$|:/.test(hostOnly) ? 'localhost' : hostOnly);
  if (!/^[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?$/.test(mailDomain)) {
    throw new ConfigError(`PARLEY_MAIL_DOMAIN must be a domain name (got "${mailDomain}").`);
  }
  const retryBaseSeconds = integer(env, 'PARLEY_RETRY_BASE_SECONDS', 60, 1, 86_400);
  const retryMaxSeconds = integer(env, 'PARLEY_RETRY_MAX_SECONDS', 3600, 1, 7 * 86_400);
  if (retryMaxSeconds < retryBaseSeconds)
    throw new ConfigError('PARLEY_RETRY_MAX_SECONDS must not be below PARLEY_RETRY_BASE_SECONDS.');
  const logLevel = env.PARLEY_LOG_LEVEL || 'info';
  if (!['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'].includes(logLevel)) {
    throw new ConfigError(
      `PARLEY_LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent (got "${logLevel}").`,
    );
  }
  const production = env.NODE_ENV === 'production';
  const tls = inboundTls(env);
  const inboundAllowInsecureAuth = boolean(env, 'PARLEY_INBOUND_ALLOW_INSECURE_AUTH', false);
  const dispatcher = (env.PARLEY_DISPATCHER || 'thread') as Config['dispatcher'];
  if (!['thread', 'child', 'inline', 'off'].includes(dispatcher))
    throw new ConfigError(`PARLEY_DISPATCHER must be thread, child, inline or off (got "${dispatcher}").`);
  return Object.freeze({
    databaseUrl,
    databasePoolSize: integer(env, 'PARLEY_DATABASE_POOL_SIZE', DEFAULT_POOL_SIZE, 1, 100),
    host,
    port,
    publicUrl,
    mailDomain,
    dataDir,
    ...secretKey(env, dataDir, options.createKey !== false),
    logLevel,
    retryBaseSeconds,
    retryMaxSeconds,
    giveUpHours: integer(env, 'PARLEY_GIVE_UP_HOURS', 120, 1, 24 * 365),
    inboundSmtp: listenAddress('PARLEY_INBOUND_SMTP', env.PARLEY_INBOUND_SMTP),
    inboundMaxBytes: integer(env, 'PARLEY_INBOUND_MAX_BYTES', 25 * 1024 * 1024, 1024, 100 * 1024 * 1024),
    inboundPerSenderPerMinute: integer(
      env,
      'PARLEY_INBOUND_PER_SENDER_PER_MINUTE',
      DEFAULT_INBOUND_PER_SENDER_PER_MINUTE,
      1,
      100_000,
    ),
    inboundKeepRawDays: integer(env, 'PARLEY_INBOUND_KEEP_RAW_DAYS', 180, 0, 36_500),
    inboundRecipients: Object.freeze(inboundRecipients(env.PARLEY_INBOUND_RECIPIENTS)),
    inboundTrustedAuthservIds: Object.freeze(trustedAuthservIds(env.PARLEY_INBOUND_TRUSTED_AUTHSERV_IDS)),
    inboundTls: tls,
    inboundAuth: inboundAuth(env, tls !== null, inboundAllowInsecureAuth),
    inboundAllowInsecureAuth,
    production,
    dispatcher,
    dispatcherNice: integer(env, 'PARLEY_DISPATCHER_NICE', 10, 0, 19),
    leaseSeconds: integer(env, 'PARLEY_LEASE_SECONDS', 10, 1, 86_400),
    smtpTimeoutSeconds: integer(env, 'PARLEY_SMTP_TIMEOUT_SECONDS', 30, 1, 600),
    mailCatcher: mailCatcher(env.PARLEY_MAIL_CATCHER, production),
    httpTimeouts: httpTimeouts(env),
    metricsToken: metricsToken(env.PARLEY_METRICS_TOKEN),
    trustedProxies: trustedProxies(env.PARLEY_TRUSTED_PROXIES),
    inboundDataTimeoutSeconds: integer(env, 'PARLEY_INBOUND_DATA_TIMEOUT_SECONDS', 300, 1, 3600),
    inboundMaxConnectionsPerAddress: integer(env, 'PARLEY_INBOUND_MAX_CONNECTIONS_PER_ADDRESS', 10, 1, 10_000),
  });
}
