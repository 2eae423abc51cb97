import type { ReportedEntry, Repositories } from '../../ports/storage.ts';
import type { InboundMailToErase } from '../../ports/storage/inbound-mail.ts';
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

/**
 * What a report about a notification an erasure took a person out of the Cc of says of itself once its original is
 * gone: no address (the recipients it names may be erased later, and an erased mail is not read again).
 */
export function reportQuotingErasedText(outboxId: number, how: 'marked' | 'not-marked' | 'unverified'): string {
  const what = how === 'unverified' ? 'A delivery report that cannot be verified' : 'A delivery report';
  const marked = how === 'marked' ? ' It marked the notification failed.' : '';
  return `${what} about notification #${outboxId}, which copied a person since erased: its original is not kept.${marked}`;
}

/** Records the mail as a bounce about that notification (`reasonText` its reason), then erases `erase` with it. */
async function recordThenErase(
  tx: Repositories,
  id: number,
  about: ReportAbout & { reason: InboundOutcome['reason']; reasonText: string; at: string },
  erase: InboundMailToErase,
): Promise<void> {
  const outcome: InboundOutcome = { status: 'bounce', ...about };
  if (await tx.inbound.finishInboundMail(id, outcome, ['received']))
    await tx.inbound.eraseInboundMailOf(erase, about.at, about.reasonText);
}

/** Records the report as a bounce about that notification, then erases it with the others about it (and copies). */
function keepNothingIn(tx: Repositories, id: number, about: ReportAbout, at: string): Promise<void> {
  const reasonText = erasedReportText(about.outboxId);
  return recordThenErase(
    tx,
    id,
    { ...about, reason: 'bounce-of-notification', reasonText, at },
    {
      outboxIds: [about.outboxId],
    },
  );
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
 * A delivery report that cannot be verified and names a notification an erasure took a person out of the Cc of: it may
 * quote them, so it is neither held nor kept: recorded as a bounce about that notification (which it does not mark),
 * then its original, text, subject and sender are erased. Checked before the duplicate key is claimed, so a copy goes
 * the same way.
 */
export async function keepNothingOfReportQuotingErased(
  deps: Pick<InboundDeps, 'storage'>,
  id: number,
  about: ReportAbout,
  at: string,
): Promise<InboundMail | undefined> {
  const reasonText = reportQuotingErasedText(about.outboxId, 'unverified');
  await deps.storage.transaction((tx) =>
    recordThenErase(tx, id, { ...about, reason: 'unverified-bounce', reasonText, at }, { ids: [id] }),
  );
  return deps.storage.inbound.findInboundMail(id);
}

/** What recording a report about a notification does, decided on the notification as it is once locked. */
export interface ReportRecord {
  outcome: InboundOutcome;
  /** Marks the notification (bounced), in the transaction that records the report. */
  mark?: (tx: Repositories) => Promise<unknown>;
}

/**
 * A report about a notification (or a copy of one), recorded as `decide` says on the notification read under a lock
 * (`checked`: as the report's check read it, if it is gone), unless an erasure emptied that notification since the
 * report was checked: then it keeps nothing, as above, and does nothing else. The lock comes first, so an erasure
 * committing at the same moment either comes first (and is seen) or comes after (and finds the report to erase).
 *
 * When an erasure took a person out of the notification's Cc, the report may quote them (a recipient, the original's
 * Cc header): `decide` sees the entry's `ccErasedAt` and leaves them out of what it records, and the report keeps no
 * original, text, subject or sender (as the erasure erased the reports that named them).
 */
export async function finishReportUnlessErased(
  deps: Pick<InboundDeps, 'storage'>,
  mail: InboundMail,
  about: ReportAbout,
  checked: ReportedEntry,
  decide: (entry: ReportedEntry) => ReportRecord,
): Promise<InboundMail | undefined> {
  const kept = await deps.storage.transaction(async (tx) => {
    const entry = (await tx.outbox.outboxEntryForReport(about.outboxId)) ?? checked;
    const { outcome, mark } = decide(entry);
    if (entry.erasedAt) {
      await keepNothingIn(tx, mail.id, about, outcome.at);
      return undefined;
    }
    if (!(await tx.inbound.finishInboundMail(mail.id, outcome, ['received']))) return undefined;
    await mark?.(tx);
    if (!entry.ccErasedAt) return outcome;
    const text = reportQuotingErasedText(about.outboxId, mark ? 'marked' : 'not-marked');
    await tx.inbound.eraseInboundMailOf({ ids: [mail.id] }, outcome.at, text);
    return undefined;
  });
  return kept ? withOutcome(mail, kept) : deps.storage.inbound.findInboundMail(mail.id);
}
