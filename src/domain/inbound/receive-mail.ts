import type { Deps, StorageOf } from '../deps.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { inboundLeaseUntil } from './inbound-lease.ts';
import { receivedRecord, type InboundMail, type RawMail } from './inbound-mail.ts';

/**
 * Stores a received mail exactly as it came, before anything else happens to it: the receiver acknowledges the mail
 * (SMTP `250`) only once this resolves, and answers a temporary failure when it throws. Returns the mail's id.
 */
export async function receiveMail(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'inbound'> },
  mail: RawMail,
): Promise<number> {
  return deps.storage.inbound.insertInboundMail(mail, deps.clock.now().toISOString());
}

/** A mail just stored, handed to processing in memory: its record and bytes need not be read back. */
export interface ReceivedMail {
  mail: InboundMail;
  raw: Uint8Array;
}

/**
 * `receiveMail` for a mail this process processes right after storing it: the processing attempt is counted in the
 * same write (so a mail that brings the process down while it is processed still counts towards `maxAttempts`), and
 * the mail is leased to `token` (the ingestor's, which renews it) from its insert, so no other process's sweep begins
 * it meanwhile; the stored record comes back with its bytes, for `processInboundMail`.
 */
export async function receiveMailForProcessing(
  deps: Pick<InboundDeps, 'clock' | 'policy'> & { storage: StorageOf<'inbound'> },
  mail: RawMail,
  token: string,
): Promise<ReceivedMail> {
  const at = deps.clock.now().toISOString();
  const id = await deps.storage.inbound.insertInboundMail(mail, at, 1, { token, until: inboundLeaseUntil(deps) });
  return { mail: receivedRecord(id, mail, at, 1), raw: mail.raw };
}
