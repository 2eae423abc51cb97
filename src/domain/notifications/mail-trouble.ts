import type { StorageOf } from '../deps.ts';
import type { Actor } from '../users/user.ts';

/** What a person is told when mail to them could not be delivered. */
export interface MailTrouble {
  /** The address the mail could not reach: the person's current one. */
  address: string;
  /** When the mail was given up (failed or bounced). */
  at: string;
}

/**
 * Whether the latest mail to the person failed or bounced at the address they still have: once they correct their
 * address (or staff send the mail again to a corrected one), it is no longer news for them.
 */
export async function mailTroubleOf(deps: { storage: StorageOf<'outbox'> }, actor: Actor): Promise<MailTrouble | null> {
  const latest = await deps.storage.outbox.latestOutboxTo(actor.id);
  if (!latest || latest.status !== 'failed') return null;
  if (latest.toAddress.toLowerCase() !== actor.email.toLowerCase()) return null;
  return { address: latest.toAddress, at: latest.updatedAt };
}
