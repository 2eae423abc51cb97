import type { Origin } from '../audit/audit-entry.ts';
import { recordAudit } from '../audit/record-audit.ts';
import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { OutboxEntry } from './outbox-entry.ts';

/**
 * An administrator sends a deferred or failed mail again now, with the same Message-ID: the entry is due at once and
 * the dispatcher is woken. A mail that is queued, being sent or sent is not retried (409); an unknown one is 404.
 */
export async function retryOutboxEntry(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'outbox' | 'transaction'> },
  origin: Origin,
  id: number,
): Promise<OutboxEntry> {
  const entry = await deps.storage.transaction(async (tx) => {
    // A mail emptied by an erasure has no text left (nor, when it was theirs, a recipient): it is never sent again.
    if ((await tx.outbox.findOutboxEntry(id))?.erasedAt)
      throw new DomainError(
        'OUTBOX_NOT_RETRYABLE',
        `Outbox entry ${id} was emptied when the personal data of a person it concerns was erased; it cannot be sent again.`,
      );
    const retried = await tx.outbox.retryOutboxNow(id, deps.clock.now().toISOString());
    if (retried)
      await recordAudit(tx, deps.clock, origin, {
        action: 'outbox.retry',
        target: { type: 'outbox-entry', id, label: retried.toAddress },
        changes: [{ field: 'status', after: retried.status }],
      });
    return retried;
  });
  if (!entry) {
    const exists = await deps.storage.outbox.findOutboxEntry(id);
    if (!exists) throw new DomainError('OUTBOX_ENTRY_NOT_FOUND', `There is no outbox entry ${id}.`);
    throw new DomainError(
      'OUTBOX_NOT_RETRYABLE',
      `Outbox entry ${id} is ${exists.status}: only deferred or failed mail can be retried.`,
    );
  }
  await deps.storage.outbox.signalOutbox();
  return entry;
}
