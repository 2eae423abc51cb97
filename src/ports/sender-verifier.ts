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

/** The DMARC result a trusted server reported for a mail, as its header says it. */
export interface TrustedDmarc {
  /** `pass`, `fail`, `none`, `temperror`, `permerror` (lower-cased). */
  result: string;
  /** The domain it was checked for (`header.from`), lower-cased, when named. */
  headerFrom: string | null;
  /** For the reviewer: "mx.example.com: dmarc=fail header.from=example.org". */
  detail: string;
}

export interface SenderVerifier {
  verify(check: SenderCheck): Promise<SenderVerdict>;
  /**
   * The DMARC result of the topmost `Authentication-Results`, when a trusted server wrote it; undefined otherwise
   * (no header, not trusted, or no DMARC result in it). Reads the header only: no DNS.
   */
  trustedDmarc(raw: Uint8Array): TrustedDmarc | undefined;
}
