import type { InboundDeps } from './inbound-deps.ts';
import type { InboundMail, InboundOutcome } from './inbound-mail.ts';

/**
 * A delivery report about a notification an erasure emptied arrives after the erasure: it quotes the erased person's
 * address (its recipients, the original's headers) and the mail that was erased. It is recorded as a bounce about
 * that notification, then erased as the erasure erased the reports before it (original, text, subject, sender;
 * `erasedReportText` as its reason), with its copies, in one transaction; the notification is not marked (an erased
 * entry never changes again) and no `mail.bounced` webhook names the address. Checked before the duplicate key is
 * claimed, so a second copy of the report is erased too. Returns the mail as recorded (another process may have
 * decided it first).
 */
/** What a report about a notification an erasure emptied says of itself, once erased (only the notification's id). */
export function erasedReportText(outboxId: number): string {
  return `A delivery report about notification #${outboxId}, which an erasure of personal data emptied: not kept.`;
}

export async function keepNothingOfReportOnErased(
  deps: Pick<InboundDeps, 'storage'>,
  id: number,
  about: { outboxId: number; ticketId: number | null },
  at: string,
): Promise<InboundMail | undefined> {
  const outcome: InboundOutcome = {
    status: 'bounce',
    reason: 'bounce-of-notification',
    reasonText: erasedReportText(about.outboxId),
    outboxId: about.outboxId,
    ticketId: about.ticketId,
    at,
  };
  await deps.storage.transaction(async (tx) => {
    if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) return;
    await tx.inbound.eraseInboundMailOf(
      { addresses: [], messageIds: [], outboxIds: [about.outboxId] },
      at,
      erasedReportText(about.outboxId),
    );
  });
  return deps.storage.inbound.findInboundMail(id);
}
