import type { OutboxEntry } from '../notifications/outbox-entry.ts';
import { mailWebhooks } from '../webhooks/mail-webhooks.ts';
import { bouncedCopiesOnly, reportForRecipients } from './bounce-check.ts';
import type { InboundDeps } from './inbound-deps.ts';
import type { InboundMail, InboundOutcome } from './inbound-mail.ts';
import { describeReport, isPermanentFailure, type DeliveryReport } from './mail-facts.ts';
import { finishReportUnlessErased, type ReportRecord } from './report-on-erased-mail.ts';
import { withoutNul } from './inbound-message-text.ts';

/**
 * A delivery report that came back to the signed bounce address of the notification it reports on: a permanent
 * failure for its recipient marks that notification failed (with `mail.bounced` for the endpoints that take it), in
 * the transaction that records the report; anything else (a delay, a success, a failure for its Cc alone) is recorded
 * without marking it. What it records is decided on the notification as read in that transaction
 * (`finishReportUnlessErased`): an erasure that emptied it meanwhile erases the report instead, and one that took a
 * person out of its Cc leaves out the recipients it no longer names (`reportForRecipients`) and keeps no original.
 */
export async function decideVerifiedReport(
  deps: InboundDeps,
  mail: InboundMail,
  report: DeliveryReport,
  entry: OutboxEntry,
  facts: Partial<InboundOutcome>,
  at: string,
): Promise<InboundMail | undefined> {
  const about = { outboxId: entry.id, ticketId: entry.ticketId };
  // `mail.bounced` for the endpoints that take it, queued with the bounce (an internal note's mail: staff only).
  const hooks = isPermanentFailure(report) ? await mailWebhooks(deps, [entry.id]) : undefined;
  return finishReportUnlessErased(deps, mail, about, entry, (now): ReportRecord => {
    const { report: known, dropped } = reportForRecipients(report, now);
    const description =
      describeReport(known) + (dropped > 0 ? ` (and ${dropped} no longer among its recipients: not named)` : '');
    const record = (text: string, mark?: ReportRecord['mark']): ReportRecord => ({
      outcome: {
        ...facts,
        status: 'bounce',
        reason: 'bounce-of-notification',
        reasonText: withoutNul(text),
        ...about,
        at,
      },
      mark,
    });
    if (known.recipients.length === 0 && dropped > 0)
      return record(`A delivery report about notification #${entry.id} that names no one among its recipients now.`);
    if (!isPermanentFailure(known))
      return record(`A delivery report (not a failure) about notification #${entry.id}: ${description}`);
    const copies = bouncedCopiesOnly(known, now);
    if (copies.length > 0) {
      return record(
        `Notification #${entry.id} bounced for ${copies.join(', ')} (in its Cc) only; it reached ${now.toAddress}, so it is not marked: ${description}`,
      );
    }
    const bounced = hooks?.(entry.id, { event: 'mail.bounced', at, reply: description }) ?? [];
    return record(`Notification #${entry.id} bounced: ${description}`, (tx) =>
      tx.outbox.recordOutboxBounce(entry.id, at, description, bounced),
    );
  });
}
