import { isIP } from 'node:net';
import type { ImapFlow } from 'imapflow';
import { scrubError, scrubSecrets } from '../../domain/parameters/secret-scrub.ts';
import { resolveAllowedAddress } from '../net/allowed-address.ts';
import { loadOnce } from '../load-once.ts';

// imapflow is loaded when a mailbox is first read, not by every process that could read one.
const imapflow = loadOnce(() => import('imapflow'));

/** The keyword a mail over `maxBytes` gets once it was recorded: it is not read again. */
const TOO_LARGE = '$ParleyTooLarge';

/** A mail over `maxBytes`: its header block (its body never fetched), its whole size and the limit. */
export interface TooLargeImapMail {
  headers: Buffer;
  size: number;
  maxBytes: number;
}

export interface ImapMailboxOptions {
  host: string;
  port: number;
  /** `tls`: TLS from the start (993); `starttls`: the session must be upgraded before login; `none`: plain text. */
  security: 'tls' | 'starttls' | 'none';
  user: string;
  password: string;
  /**
   * OAuth2 (SASL XOAUTH2): the account and a live access token, asked for at each connection (the token is
   * refreshed by whoever gives it; `refused`: the token the server refused last time); `user` and `password` are not
   * used then. A failure is handled as a refused login.
   */
  oauth2?: (refused?: string) => Promise<{ user: string; accessToken: string }>;
  /** Default INBOX. */
  mailbox?: string;
  allowInvalidCertificate?: boolean;
  /**
   * A mail larger than this is not fetched: its headers are handed to `tooLarge` (which the constructor then needs),
   * and once that resolved it is flagged `$ParleyTooLarge` (not read again), left unread for the people who look at
   * the mailbox; a mailbox that takes no keywords gets it marked seen instead.
   */
  maxBytes?: number;
  /** Wait before reconnecting after a failure, and before retrying a mail that could not be stored. */
  retryMs?: number;
  /** Look again even without a new-mail event (IDLE notices can be lost). */
  pollMs?: number;
  log?: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Reads one IMAP mailbox with imapflow: every unseen mail is fetched and handed to `deliver`, and marked `\Seen`
 * only after `deliver` resolved, that is after Parley committed it; a mail `deliver` rejects stays unseen and is
 * tried again later. New mail is noticed through IDLE (imapflow's automatic IDLE, with a poll as a fallback). A mail
 * over `maxBytes` is never fetched whole: its headers go to `tooLarge`, then it is flagged `$ParleyTooLarge`, unread.
 *
 * The mailbox is read by its unseen flag, not by a remembered UID, so a UIDVALIDITY change (the mailbox recreated or
 * restored) costs nothing: unseen mail is still unseen. What was delivered but not yet marked seen when the process
 * stopped is delivered again: the inbound pipeline recognises it by Message-ID (or raw content) and keeps one copy.
 */
export class ImapMailbox {
  private running = false;
  private loop: Promise<void> | undefined;
  private client: ImapFlow | undefined;
  private wake: (() => void) | undefined;
  private pending = false;
  /** The UIDVALIDITY seen at the last connection: a change is logged, nothing else needs doing. */
  uidValidity: bigint | undefined;
  /** The last failure, for the admin's status display. */
  lastError: string | null = null;
  /** The account and access token of the current connection (OAuth2), scrubbed from errors like a password. */
  private token: { user: string; password: string } | undefined;
  /** The access token the server refused at the last attempt: the next one asks for a new one. */
  private refused: string | undefined;

  constructor(
    private readonly options: ImapMailboxOptions,
    private readonly deliver: (raw: Buffer) => Promise<void>,
    /** Records a mail over `maxBytes` (held for review); a rejection leaves the mail as it is, tried again later. */
    private readonly tooLarge?: (mail: TooLargeImapMail) => Promise<void>,
  ) {
    if (options.maxBytes !== undefined && !tooLarge)
      throw new Error(
        'An IMAP reader with maxBytes needs tooLarge: a mail over the limit must be recorded, never lost.',
      );
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  async stop(): Promise<void> {
    this.running = false;
    this.wake?.();
    await this.client?.logout().catch(() => this.client?.close());
    await this.loop;
  }

  private get retryMs() {
    return this.options.retryMs ?? 5000;
  }

  private sleep(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const timer = setTimeout(done, ms);
      function done() {
        clearTimeout(timer);
        resolve();
      }
      this.wake = done;
    });
  }

  private credentials() {
    const own = { user: this.options.user, password: this.options.password };
    return this.token ? [own, this.token] : [own];
  }

  /** An error with every form of the account's credentials removed (the server may have echoed them), for the log. */
  private clean<E>(error: E): E {
    return scrubError(error, this.credentials());
  }

  private failed(error: unknown): void {
    this.lastError = scrubSecrets(String((error as Error)?.message ?? error), this.credentials());
  }

  private async run(): Promise<void> {
    const mailbox = this.options.mailbox ?? 'INBOX';
    while (this.running) {
      // The host is checked and resolved once per connection, and the connection goes to the address checked (as
      // for SMTP): a link-local or metadata address, literal or behind a name, is never connected to.
      let address: string;
      try {
        address = await resolveAllowedAddress(this.options.host, 'IMAP host');
      } catch (error) {
        this.failed(error);
        this.options.log?.error({ err: this.clean(error), mailbox }, 'IMAP host refused or not resolved; trying again');
        if (this.running) await this.sleep(this.retryMs);
        continue;
      }
      let auth: { user: string; pass: string } | { user: string; accessToken: string };
      try {
        auth = this.options.oauth2
          ? await this.options.oauth2(this.refused)
          : { user: this.options.user, pass: this.options.password };
        this.refused = undefined;
      } catch (error) {
        this.failed(error);
        this.options.log?.error({ err: this.clean(error), mailbox }, 'IMAP sign-in unavailable; trying again');
        if (this.running) await this.sleep(this.retryMs);
        continue;
      }
      this.token = 'accessToken' in auth ? { user: auth.user, password: auth.accessToken } : undefined;
      const name = isIP(this.options.host.replace(/^\[|\]$/g, '')) ? undefined : this.options.host;
      const { ImapFlow } = await imapflow();
      const client = new ImapFlow({
        host: address,
        port: this.options.port,
        ...(name ? { servername: name } : {}),
        secure: this.options.security === 'tls',
        // STARTTLS required (never a login in clear text when the server does not offer it), or not attempted.
        ...(this.options.security === 'tls' ? {} : { doSTARTTLS: this.options.security === 'starttls' }),
        auth,
        tls: { rejectUnauthorized: !this.options.allowInvalidCertificate, ...(name ? { servername: name } : {}) },
        logger: false,
        disableAutoIdle: true,
      });
      this.client = client;
      client.on('error', (error: Error) => {
        this.failed(error);
        this.options.log?.error({ err: this.clean(error), mailbox }, 'IMAP connection error');
      });
      client.on('exists', () => {
        this.pending = true;
        this.wake?.();
      });
      const closed = new Promise<void>((resolve) => client.once('close', () => resolve()));
      client.once('close', () => this.wake?.());
      try {
        await client.connect();
        const lock = await client.getMailboxLock(mailbox);
        try {
          const opened = client.mailbox;
          const validity = opened ? opened.uidValidity : undefined;
          if (this.uidValidity !== undefined && validity !== this.uidValidity) {
            this.options.log?.info(
              { mailbox, before: String(this.uidValidity), now: String(validity) },
              'IMAP UIDVALIDITY changed: reading the unseen mail of the new mailbox',
            );
          }
          this.uidValidity = validity;
          this.lastError = null;
          while (this.running && client.usable) {
            this.pending = false;
            const complete = await this.drain(client);
            if (!this.running || !client.usable) break;
            // Nothing more now (or a mail waits for its retry): IDLE until new mail, the poll, or the retry time.
            // The next command (the search) ends the IDLE by itself.
            if (!this.pending) {
              void client.idle().catch(() => {});
              await this.sleep(complete ? (this.options.pollMs ?? 60_000) : this.retryMs);
            }
          }
        } finally {
          lock.release();
        }
      } catch (error) {
        this.failed(error);
        // A refused access token is renewed at the next attempt (it may have been revoked early or clocks differ).
        if (this.token && (error as { authenticationFailed?: boolean }).authenticationFailed)
          this.refused = this.token.password;
        this.options.log?.error({ err: this.clean(error), mailbox }, 'IMAP mailbox unavailable; trying again');
      } finally {
        if (client.usable) await client.logout().catch(() => client.close());
        else client.close();
        await Promise.race([closed, new Promise((r) => setTimeout(r, 1000))]);
      }
      if (this.running) await this.sleep(this.retryMs);
    }
  }

  /**
   * Delivers every unseen mail, oldest first (a mail over the limit, recorded before, is passed over by its keyword);
   * false when one could not be stored (it stays unseen for a retry).
   */
  private async drain(client: ImapFlow): Promise<boolean> {
    const unseen = await client.search({ seen: false, unKeyword: TOO_LARGE }, { uid: true });
    for (const uid of (unseen || []).sort((a, b) => a - b)) {
      if (!this.running) return true;
      const meta = await client.fetchOne(String(uid), { size: true }, { uid: true });
      if (!meta) continue; // expunged meanwhile
      const maxBytes = this.options.maxBytes;
      if (maxBytes !== undefined && (meta.size ?? 0) > maxBytes) {
        if (!(await this.holdTooLarge(client, uid, meta.size ?? 0, maxBytes))) return false;
        continue;
      }
      const message = await client.fetchOne(String(uid), { source: true }, { uid: true });
      if (!message || !message.source) continue;
      try {
        await this.deliver(message.source);
      } catch (error) {
        this.failed(error);
        this.options.log?.error(
          { err: this.clean(error), uid },
          'an IMAP mail could not be stored; it stays unseen and is tried again',
        );
        return false;
      }
      await client.messageFlagsAdd(String(uid), ['\\Seen'], { uid: true });
    }
    return true;
  }

  /**
   * A mail over the limit: its header block alone is fetched (cut at a line end within `maxBytes`, should the headers
   * themselves be that large) and handed to `tooLarge`; once that resolved the mail gets its keyword, so it is not
   * read again, and stays unread for a person. False when it could not be recorded (left as it was, tried again).
   */
  private async holdTooLarge(client: ImapFlow, uid: number, size: number, maxBytes: number): Promise<boolean> {
    const fetched = await client.fetchOne(String(uid), { headers: true }, { uid: true });
    if (!fetched) return true; // expunged meanwhile
    let headers = fetched.headers ?? Buffer.alloc(0);
    if (headers.byteLength > maxBytes) {
      const end = headers.lastIndexOf(0x0a, maxBytes - 3);
      headers = Buffer.concat([headers.subarray(0, end + 1), Buffer.from('\r\n')]);
    }
    try {
      await this.tooLarge!({ headers, size, maxBytes });
    } catch (error) {
      this.failed(error);
      this.options.log?.error(
        { err: this.clean(error), uid, size, maxBytes },
        'an IMAP mail over the size limit could not be recorded; it stays unseen and is tried again',
      );
      return false;
    }
    // Where keywords cannot be kept, marking it seen is what keeps it from being recorded again at every look.
    const box = client.mailbox;
    const keywords = !box || !box.permanentFlags || box.permanentFlags.has('\\*') || box.permanentFlags.has(TOO_LARGE);
    await client.messageFlagsAdd(String(uid), keywords ? [TOO_LARGE] : ['\\Seen', TOO_LARGE], { uid: true });
    this.options.log?.info(
      { uid, size, maxBytes },
      `IMAP mail larger than the limit: held for review with its headers, left in the mailbox flagged ${TOO_LARGE}`,
    );
    return true;
  }
}
