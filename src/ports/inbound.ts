/** What inbound processing needs from a MIME parser: the few headers it reads, the text parts, the addresses. */
export interface MailAddress {
  address: string;
  name: string;
}

export interface ParsedMail {
  /** The Message-ID as written (angle brackets included), or null. */
  messageId: string | null;
  /** Message-IDs of In-Reply-To and References, each with its angle brackets, in order. */
  inReplyTo: string[];
  references: string[];
  /** Every address of the From header (more than one is legal and suspicious). */
  from: MailAddress[];
  replyTo: MailAddress[];
  to: MailAddress[];
  cc: MailAddress[];
  subject: string;
  /** The text/plain and text/html bodies (decoded), null when absent. */
  text: string | null;
  html: string | null;
  /** Every value of a header (unfolded, without the name), case-insensitive name; [] when absent. */
  header(name: string): string[];
  /**
   * A delivery status notification (multipart/report; report-type=delivery-status): the text of its
   * message/delivery-status part and the header block of the returned message (text/rfc822-headers or message/rfc822).
   */
  report: { deliveryStatus: string; returnedHeaders: string } | null;
}

export interface MailParser {
  /** Parses a raw RFC 5322 message; throws on input it cannot read at all. Bounded in time and memory by the input size. */
  parse(raw: Uint8Array): Promise<ParsedMail>;
}
