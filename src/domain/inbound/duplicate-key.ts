/**
 * The duplicate key of an inbound mail: one mail delivered twice (a retry, two relays, SMTP and an IMAP fetch) has
 * the same, so it is posted once.
 *
 * With a Message-ID: the Message-ID, its domain (right of the `@`) lower-cased as DNS names are. Without one: the
 * mail as its sender wrote it (`contentSha256`: its leading trace header fields and Authentication-Results left out).
 */
export function duplicateKey(messageId: string | null, contentSha256: string): string {
  return messageId ? `mid:${normalizedMessageId(messageId)}` : `content:${contentSha256}`;
}

/** A Message-ID with its domain lower-cased (its left part is case-sensitive). */
export function normalizedMessageId(messageId: string): string {
  const at = messageId.lastIndexOf('@');
  return at < 0 ? messageId : messageId.slice(0, at) + messageId.slice(at).toLowerCase();
}

/**
 * The keys mail had before (`mid:` and the Message-ID as written, or `sha256:` and the hash of the raw bytes), still
 * looked up so a mail stored before is known when it comes again.
 */
export function earlierDuplicateKeys(messageId: string | null, rawSha256: string): string[] {
  return messageId ? [`mid:${messageId}`] : [`sha256:${rawSha256}`];
}
