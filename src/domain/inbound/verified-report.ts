import type { OutboxEntry } from '../notifications/outbox-entry.ts';
import { mailWebhooks } from '../webhooks/mail-webhooks.ts';
import { bouncedCopiesOnly } from './bounce-check.ts';
import type { InboundDeps } from './inbound-deps.ts';
import {
  withOutcome,
  type InboundMail,
  type InboundOutcome,
  type InboundReason,
  type InboundStatus,
} from './inbound-mail.ts';
import { describeReport, isPermanentFailure, type DeliveryReport } from './mail-facts.ts';
import { erasedReportText, finishReportUnlessErased } from './report-on-erased-mail.ts';
import { withoutNul } from './inbound-message-text.ts';

/** How `processInboundMail` records a decision with the mail's facts (and reads back one another process made). */
export type Decide = (
  status: Exclude<InboundStatus, 'received'>,
  reason: InboundReason,
  reasonText: string,
  extra?: Partial<InboundOutcome>,
) => Promise<InboundMail | undefined>;

/**
 * A delivery report that came back to the signed bounce address of the notification it reports on: a permanent
 * failure for its recipient marks that notification failed (with `mail.bounced` for the endpoints that take it), in
 * the transaction that records the report; anything else (a delay, a success, a failure for its Cc alone) is recorded
 * without marking it. An erasure that emptied the notification after the report was checked is noticed in the
 * transaction that records the report (the mark refused, or the notification read under a lock): the report is then
 * erased as the erasure erased the others.
 */
export async function decideVerifiedReport(
  deps: InboundDeps,
  id: number,
  mail: InboundMail,
  report: DeliveryReport,
  entry: OutboxEntry,
  facts: Partial<InboundOutcome>,
  at: string,
): Promise<InboundMail | undefined> {
  const description = describeReport(report);
  const about = { outboxId: entry.id, ticketId: entry.ticketId };
  /** Recorded without marking the notification, unless an erasure emptied it meanwhile. */
  const unmarked = (text: string) =>
    finishReportUnlessErased(deps, mail, about, {
      ...facts,
      status: 'bounce',
      reason: 'bounce-of-notification',
      reasonText: withoutNul(text),
      ...about,
      at,
    });
  if (!isPermanentFailure(report))
    return unmarked(`A delivery report (not a failure) about notification #${entry.id}: ${description}`);
  const copies = bouncedCopiesOnly(report, entry);
  if (copies.length > 0) {
    return unmarked(
      `Notification #${entry.id} bounced for ${copies.join(', ')} (in its Cc) only; it reached ${entry.toAddress}, so it is not marked: ${description}`,
    );
  }
  const outcome: InboundOutcome = {
    ...facts,
    status: 'bounce',
    reason: 'bounce-of-notification',
    reasonText: withoutNul(`Notification #${entry.id} bounced: ${description}`),
    ...about,
    at,
  };
  // `mail.bounced` for the endpoints that take it, queued with the bounce (an internal note's mail: staff only).
  const hooks = await mailWebhooks(deps, [entry.id]);
  const bounced = hooks?.(entry.id, { event: 'mail.bounced', at, reply: description }) ?? [];
  const recorded = await deps.storage.transaction(async (tx) => {
    if (!(await tx.inbound.finishInboundMail(id, outcome, ['received']))) return 'another';
    if (await tx.outbox.recordOutboxBounce(entry.id, at, description, bounced)) return 'marked';
    await tx.inbound.eraseInboundMailOf(
      { addresses: [], messageIds: [], outboxIds: [entry.id] },
      at,
      erasedReportText(entry.id),
    );
    return 'erased';
  });
  return recorded === 'marked' ? withOutcome(mail, outcome) : deps.storage.inbound.findInboundMail(id);
}
