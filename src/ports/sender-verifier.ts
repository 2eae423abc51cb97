/**
 * Whether a mail's `From` is its real author: DMARC pass aligned with the From domain (DKIM on the raw mail, SPF on
 * what the receiver saw), checked by Parley itself or read from the `Authentication-Results` of a server the
 * administrator trusts. A `From` header alone is a claim, never an identity.
 */
export interface SenderCheck {
  /** The mail exactly as received. */
  raw: Uint8Array;
  /** The address of the From header (already normalised). */
  fromAddress: string;
  /** What the SMTP receiver saw (null when the mail was fetched from a mailbox). */
  envelopeFrom: string | null;
  remoteAddress: string | null;
  helo: string | null;
}

export interface SenderVerdict {
  verified: boolean;
  /** How: Parley's own DMARC check, or a trusted server's Authentication-Results (null when not verified). */
  by: 'dmarc' | 'trusted-authserv' | null;
  /** What was found, for the reviewer and the log (e.g. "dmarc=fail (p=reject) header.from=example.org"). */
  detail: string;
}

export interface SenderVerifier {
  verify(check: SenderCheck): Promise<SenderVerdict>;
}
