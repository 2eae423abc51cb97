import type { Repositories } from '../../ports/storage.ts';
import type { OutboxEntry } from '../notifications/outbox-entry.ts';
import { mailWebhooks } from '../webhooks/mail-webhooks.ts';
import { bouncedCopiesOnly } from './bounce-check.ts';
import type { InboundDeps } from './inbound-deps.ts';
import type { InboundMail, InboundOutcome } from './inbound-mail.ts';
import { describeReport, isPermanentFailure, type DeliveryReport } from './mail-facts.ts';
import { finishReportUnlessErased } from './report-on-erased-mail.ts';
import { withoutNul } from './inbound-message-text.ts';

/**
 * A delivery report that came back to the signed bounce address of the notification it reports on: a permanent
 * failure for its recipient marks that notification failed (with `mail.bounced` for the endpoints that take it), in
 * the transaction that records the report; anything else (a delay, a success, a failure for its Cc alone) is recorded
 * without marking it. An erasure that emptied the notification after the report was checked is noticed in the
 * transaction that records the report (`finishReportUnlessErased`): the report is then erased as the erasure erased
 * the others, and the notification is not marked.
 */
export async function decideVerifiedReport(
  deps: InboundDeps,
  mail: InboundMail,
  report: DeliveryReport,
  entry: OutboxEntry,
  facts: Partial<InboundOutcome>,
  at: string,
): Promise<InboundMail | undefined> {
  const description = describeReport(report);
  const about = { outboxId: entry.id, ticketId: entry.ticketId };
  /** The report as a bounce about the notification, unless an erasure emptied the notification meanwhile. */
  const record = (text: string, mark?: (tx: Repositories) => Promise<unknown>) =>
    finishReportUnlessErased(
      deps,
      mail,
      about,
      { ...facts, status: 'bounce', reason: 'bounce-of-notification', reasonText: withoutNul(text), ...about, at },
      mark,
    );
  if (!isPermanentFailure(report))
    return record(`A delivery report (not a failure) about notification #${entry.id}: ${description}`);
  const copies = bouncedCopiesOnly(report, entry);
  if (copies.length > 0) {
    return record(
      `Notification #${entry.id} bounced for ${copies.join(', ')} (in its Cc) only; it reached ${entry.toAddress}, so it is not marked: ${description}`,
    );
  }
  // `mail.bounced` for the endpoints that take it, queued with the bounce (an internal note's mail: staff only).
  const hooks = await mailWebhooks(deps, [entry.id]);
  const bounced = hooks?.(entry.id, { event: 'mail.bounced', at, reply: description }) ?? [];
  return record(`Notification #${entry.id} bounced: ${description}`, (tx) =>
    tx.outbox.recordOutboxBounce(entry.id, at, description, bounced),
  );
}
