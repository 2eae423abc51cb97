import { normalizeEmail } from '../users/user.ts';

/**
 * The duplicate key of an inbound mail: one mail delivered twice (a retry, two relays, SMTP and an IMAP fetch) has
 * the same, so it is posted once.
 *
 * With a Message-ID: the Message-ID, its domain (right of the `@`) lower-cased as DNS names are, and the From
 * address. A Message-ID alone is anyone's to write: a stranger sending it first never makes the real sender's mail a
 * duplicate of theirs. (Whether the sender was proven is not in it: it changes when the person is erased, deactivated
 * or added, and a copy must still be one. A forged From of the same person with the same Message-ID, sent before the
 * real mail, still takes it.) Without one: the mail as its sender wrote it (`contentSha256`: its leading trace header
 * fields and Authentication-Results left out), whose From is in it.
 */
export function duplicateKey(messageId: string | null, contentSha256: string, fromAddress: string | null): string {
  return messageId ? `mid:${normalizedMessageId(messageId)} from:${fromAddress ?? ''}` : `content:${contentSha256}`;
}

/** A Message-ID with its domain lower-cased (its left part is case-sensitive). */
export function normalizedMessageId(messageId: string): string {
  const at = messageId.lastIndexOf('@');
  return at < 0 ? messageId : messageId.slice(0, at) + messageId.slice(at).toLowerCase();
}

/**
 * The keys mail had before keys named the sender (`mid:` and the Message-ID as written, or `sha256:` and the hash of
 * the raw bytes), still looked up so a mail stored before is known when it comes again.
 */
export function earlierDuplicateKeys(messageId: string | null, rawSha256: string): string[] {
  return messageId ? [`mid:${messageId}`, `mid:${normalizedMessageId(messageId)}`] : [`sha256:${rawSha256}`];
}

/**
 * Whether the mail holding an earlier key is this mail's copy: an erased mail (no address kept) is, as before;
 * another only when it came from the same address (an earlier key did not name who sent it).
 */
export function isCopyOfEarlier(
  holder: { fromAddress: string | null; erased: boolean },
  fromAddress: string | null,
): boolean {
  return holder.erased || normalizeEmail(holder.fromAddress ?? '') === (fromAddress ?? '');
}
