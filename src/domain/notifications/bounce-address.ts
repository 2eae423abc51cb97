import type { Signer } from '../../ports/signer.ts';
import { sameText } from './reply-address.ts';

const SIGNATURE_LENGTH = 24; // hex characters: 96 bits

function signature(signer: Signer, outboxId: number): string {
  return signer.sign(`bounce:${outboxId}`).slice(0, SIGNATURE_LENGTH);
}

/**
 * `bounce+<outbox id>.<signature>@<mail domain>`: the envelope sender (SMTP `MAIL FROM`) of one notification (VERP),
 * signed with the install's key. A delivery report counts only when it comes back to this address and reports on this
 * mail: nobody who has not seen the envelope of the mail can fail it, and each address names exactly one mail.
 */
export function bounceAddress(signer: Signer, mailDomain: string, outboxId: number): string {
  return `bounce+${outboxId}.${signature(signer, outboxId)}@${mailDomain}`;
}

/** True for an address of the bounce form at the mail domain, whether or not its signature is ours. */
export function looksLikeBounceAddress(address: string, mailDomain: string): boolean {
  const at = address.lastIndexOf('@');
  return (
    /^bounce\+/i.test(address.trim()) &&
    address
      .slice(at + 1)
      .trim()
      .toLowerCase() === mailDomain.toLowerCase()
  );
}

/** The notification a bounce address names, when it is at the mail domain and its signature is ours; else undefined. */
export function readBounceAddress(signer: Signer, mailDomain: string, address: string): number | undefined {
  const m = /^bounce\+(\d{1,10})\.([0-9a-f]{1,64})@([^@\s]+)$/i.exec(address.trim());
  if (!m || m[3]!.toLowerCase() !== mailDomain.toLowerCase()) return undefined;
  const outboxId = Number(m[1]);
  if (!Number.isSafeInteger(outboxId) || outboxId <= 0 || outboxId > 2_147_483_647) return undefined;
  return sameText(m[2]!.toLowerCase(), signature(signer, outboxId)) ? outboxId : undefined;
}
