import type { InboundDeps } from './inbound-deps.ts';
import type { InboundMail, InboundReason } from './inbound-mail.ts';

/** What a copy of a mail an erasure emptied says of itself (only that mail's id). */
export function copyOfErasedText(holder: number): string {
  return `A copy of inbound mail #${holder}, which an erasure of personal data emptied: not posted, nothing kept.`;
}

/**
 * A mail arriving again after an erasure emptied the mail whose duplicate key it has (its key kept only as a digest):
 * an MTA's retry, an IMAP re-fetch of a mail marked unread or of a mailbox restored. It is the erased person's mail
 * again, so it is recorded as a duplicate of that one (never posted), then erased as the erasure erased it (original,
 * envelope, sender, subject, text; `copyOfErasedText` as its reason), in one transaction. Returns the mail as recorded
 * (another process may have decided it first).
 */
export async function keepNothingOfCopyOfErased(
  deps: Pick<InboundDeps, 'storage'>,
  id: number,
  holder: number,
  reason: InboundReason,
  at: string,
): Promise<InboundMail | undefined> {
  const reasonText = copyOfErasedText(holder);
  await deps.storage.transaction(async (tx) => {
    const outcome = { status: 'duplicate', reason, reasonText, duplicateOf: holder, at } as const;
    if (await tx.inbound.finishInboundMail(id, outcome, ['received']))
      await tx.inbound.eraseInboundMailOf({ ids: [id] }, at, reasonText);
  });
  return deps.storage.inbound.findInboundMail(id);
}
