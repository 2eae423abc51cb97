import { createHash } from 'node:crypto';
import type { Deps, StorageOf } from '../../src/domain/deps.ts';
import { receiveMail } from '../../src/domain/inbound/receive-mail.ts';

/** A mail's bytes from its header and body lines, CRLF-ended. */
export const rawMail = (lines: readonly string[]): Buffer => Buffer.from([...lines, ''].join('\r\n'));

/**
 * Stores a mail as a receiver does (`receiveMail`, status `received`): its bytes, their digest, the envelope (`from`
 * null: fetched over IMAP) and the client's address. Returns its id.
 */
export function storeMail(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'inbound'> },
  raw: Buffer,
  envelope: { from: string | null; to: readonly string[]; remoteAddress: string },
): Promise<number> {
  return receiveMail(deps, {
    raw,
    sha256: createHash('sha256').update(raw).digest('hex'),
    envelopeFrom: envelope.from,
    envelopeTo: [...envelope.to],
    remoteAddress: envelope.remoteAddress,
  });
}
