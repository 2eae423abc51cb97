import type { Repositories } from '../../ports/storage.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { withOutcome, type InboundMail, type InboundOutcome } from './inbound-mail.ts';

/** Which notification a report is about. */
export interface ReportAbout {
  outboxId: number;
  ticketId: number | null;
}

/** What a report about a notification an erasure emptied says of itself, once erased (only the notification's id). */
export function erasedReportText(outboxId: number): string {
  return `A delivery report about notification #${outboxId}, which an erasure of personal data emptied: not kept.`;
}

/** Records the report as a bounce about that notification, then erases it with the others about it (and copies). */
async function keepNothingIn(tx: Repositories, id: number, about: ReportAbout, at: string): Promise<void> {
  const reasonText = erasedReportText(about.outboxId);
  const outcome: InboundOutcome = { status: 'bounce', reason: 'bounce-of-notification', reasonText, ...about, at };
  if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) return;
  await tx.inbound.eraseInboundMailOf({ addresses: [], messageIds: [], outboxIds: [about.outboxId] }, at, reasonText);
}

/**
 * A delivery report about a notification an erasure emptied arrives after the erasure: it quotes the erased person's
 * address (its recipients, the original's headers) and the mail that was erased. It is recorded as a bounce about
 * that notification, then erased as the erasure erased the reports before it (original, text, subject, sender;
 * `erasedReportText` as its reason), with its copies, in one transaction; the notification is not marked (an erased
 * entry never changes again) and no `mail.bounced` webhook names the address. Checked before the duplicate key is
 * claimed, so a second copy of the report is erased too. Returns the mail as recorded (another process may have
 * decided it first).
 */
export async function keepNothingOfReportOnErased(
  deps: Pick<InboundDeps, 'storage'>,
  id: number,
  about: ReportAbout,
  at: string,
): Promise<InboundMail | undefined> {
  await deps.storage.transaction((tx) => keepNothingIn(tx, id, about, at));
  return deps.storage.inbound.findInboundMail(id);
}

/**
 * A report about a notification (or a copy of one) given `outcome`, with `alsoDo` in the same transaction (marking the
 * notification bounced), unless an erasure emptied that notification since the report was checked: then it keeps
 * nothing, as above, and does nothing else. The notification is read under a lock first, so an erasure committing at
 * the same moment either comes first (and is seen) or comes after (and finds the report to erase).
 */
export async function finishReportUnlessErased(
  deps: Pick<InboundDeps, 'storage'>,
  mail: InboundMail,
  about: ReportAbout,
  outcome: InboundOutcome,
  alsoDo?: (tx: Repositories) => Promise<unknown>,
): Promise<InboundMail | undefined> {
  const kept = await deps.storage.transaction(async (tx) => {
    if (await tx.outbox.outboxEntryErased(about.outboxId)) {
      await keepNothingIn(tx, mail.id, about, outcome.at);
      return false;
    }
    if (!(await tx.inbound.finishInboundMail(mail.id, outcome, ['received']))) return false;
    await alsoDo?.(tx);
    return true;
  });
  return kept ? withOutcome(mail, outcome) : deps.storage.inbound.findInboundMail(mail.id);
}
