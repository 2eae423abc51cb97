/** What inbound processing needs from a MIME parser: the few headers it reads, the text parts, the addresses. */
export interface MailAddress {
  address: string;
  name: string;
}

/** An attachment part of a mail, decoded; its name as the sender wrote it (RFC 2231/2047 decoded), not normalised. */
export interface ParsedAttachment {
  name: string | null;
  /** As declared (lower case, without parameters); information only. */
  contentType: string;
  size: number;
  /** SHA-256 of the content, hex. */
  sha256: string;
  content: Uint8Array;
  /** Content-Disposition inline, or a part of multipart/related (an image the HTML shows by cid:). */
  inline: boolean;
  /** Its Content-ID without <> (what the HTML's `cid:` names), as the mail gave it; null without one. */
  contentId: string | null;
}

/** An attachment part that was not kept, and why. */
export interface SkippedAttachment {
  name: string | null;
  size: number;
  reason: 'too-large' | 'too-many' | 'total-too-large';
}

/** How much of a mail's attachments a parser keeps; beyond that they are skipped (and reported). */
export interface AttachmentLimits {
  maxCount: number;
  maxBytes: number;
  maxTotalBytes: number;
}

export const DEFAULT_ATTACHMENT_LIMITS: AttachmentLimits = {
  maxCount: 20,
  maxBytes: 10 * 1024 * 1024,
  maxTotalBytes: 25 * 1024 * 1024,
};

export interface ParsedMail {
  /** The Message-ID as written (angle brackets included), or null. */
  messageId: string | null;
  /** Message-IDs of In-Reply-To and References, each with its angle brackets, in order. */
  inReplyTo: string[];
  references: string[];
  /**
   * Every address of the From header (more than one is legal and suspicious); of the first one only, when the mail
   * has several From headers (`header('from')` has them all).
   */
  from: MailAddress[];
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** The text/plain and text/html bodies (decoded), null when absent. */
  text: string | null;
  html: string | null;
  /**
   * SHA-256 (hex) of the mail as its sender wrote it: the raw header from its first field that is not a trace field
   * added in transit (the leading `Received`, `Return-Path`, `Delivered-To`, `X-Original-To`), without any
   * `Authentication-Results`, and the body. Two deliveries of one mail by other routes have the same.
   */
  contentSha256: string;
  /** Every value of a header (unfolded, without the name), case-insensitive name; [] when absent. */
  header(name: string): string[];
  /**
   * A delivery status notification (multipart/report; report-type=delivery-status): the text of its
   * message/delivery-status part and the header block of the returned message (text/rfc822-headers or message/rfc822).
   */
  report: { deliveryStatus: string; returnedHeaders: string } | null;
  /** Attachment parts kept, in mail order, within the parser's `AttachmentLimits`. */
  attachments: ParsedAttachment[];
  /** Attachment parts beyond the limits: not kept, only named. */
  skippedAttachments: SkippedAttachment[];
}

export interface MailParser {
  /** Parses a raw RFC 5322 message; throws on input it cannot read at all. Bounded in time and memory by the input size. */
  parse(raw: Uint8Array): Promise<ParsedMail>;
}
