/** A notification ready for the wire: addresses, frozen content and threading headers. */
export interface OutgoingMail {
  from: { name: string | null; address: string };
  /**
   * The envelope sender (SMTP `MAIL FROM`), where bounces go: a notification's signed bounce address (VERP). Without
   * it, the From address.
   */
  envelopeFrom?: string;
  to: { name: string; address: string };
  /** The people the mail copies (its `Cc` header; the envelope goes to them too). */
  cc?: readonly { name: string; address: string }[];
  replyTo: string | null;
  subject: string;
  text: string;
  html: string;
  messageId: string;
  inReplyTo: string | null;
  references: string[];
  headers: Record<string, string>;
  /** Files sent with the mail (the message's attachments); none for most mails. */
  attachments?: readonly { name: string; contentType: string; content: Uint8Array; contentId?: string | null }[];
}

/** The SMTP account as the transport needs it, password opened. Never leaves the process. */
export interface SmtpSettings {
  host: string;
  port: number;
  security: 'none' | 'starttls' | 'tls';
  auth: boolean;
  user: string | null;
  password: string | null;
  allowInvalidCertificate: boolean;
  /** OAuth2 (SASL XOAUTH2) instead of a password: the account and a live access token (a mailbox's grant). */
  oauth2?: {
    user: string;
    accessToken: string;
    /**
     * A new access token when the server refused `stale` although it was believed live (a provider that revoked it
     * early, clocks apart): asked once per refused sign-in. Not part of what identifies the account.
     */
    renew?: (stale: string) => Promise<string>;
  } | null;
}

/**
 * A send that did not end with a 250. `permanent`: a 5xx, a refused envelope, bad credentials (until an admin fixes
 * the account); otherwise temporary (4xx, connection reset, timeout, an outcome we cannot know). `reply` is the
 * server's answer or our own sentence, never a secret.
 */
export class DeliveryFailure extends Error {
  override name = 'DeliveryFailure';
  constructor(
    message: string,
    readonly permanent: boolean,
    readonly reply: string,
    options?: { cause?: unknown; account?: boolean },
  ) {
    super(message, options);
    this.account = options?.account ?? false;
  }

  /** The account, not the mail, is at fault (a refused login): every mail would fail the same way until it is fixed. */
  readonly account: boolean;
}

export interface VerifyResult {
  ok: boolean;
  /** A sentence of ours: never another service's banner. */
  message: string;
  /**
   * `SMTP_VERIFY_FAILED`: the server could not be reached or used, for whatever reason (one answer for all, so
   * verify is no port scanner); `SMTP_UNREACHABLE`: this process has no transport.
   */
  code: 'OK' | 'SMTP_NOT_CONFIGURED' | 'SMTP_HOST_FORBIDDEN' | 'SMTP_VERIFY_FAILED' | 'SMTP_UNREACHABLE';
  /** Whether the check signed in (false when no authentication is configured or the server offered none). */
  signedIn?: boolean;
  /** What went wrong, credentials removed: for the server log, never for the answer. */
  detail?: string;
}

/** How one mail is sent. */
export interface SendOptions {
  /**
   * Asked when the mail's turn comes (a connection is free for it), before anything of it is sent: false leaves it
   * unsent, rejected with `MailWithdrawn` (a dispatcher that no longer holds the mail's claim).
   */
  stillWanted?: () => boolean;
}

/** A mail left unsent because, when its turn came, it was no longer wanted (`SendOptions.stillWanted`). */
export class MailWithdrawn extends Error {
  override name = 'MailWithdrawn';
  constructor() {
    super('The mail was taken back before it was sent.');
  }
}

export interface MailTransport {
  /** Resolves with the server's reply to DATA; rejects with a DeliveryFailure, or `MailWithdrawn`. */
  send(mail: OutgoingMail, options?: SendOptions): Promise<{ reply: string }>;
  /** Connects and authenticates, nothing more. */
  verify(): Promise<VerifyResult>;
  close(): void;
}

/** Makes (and reuses) a transport for the current SMTP settings. */
export interface MailTransports {
  forSettings(settings: SmtpSettings): MailTransport;
  closeAll(): void;
}
