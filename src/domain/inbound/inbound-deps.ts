import type { MailParser } from '../../ports/inbound.ts';
import type { SenderVerifier } from '../../ports/sender-verifier.ts';
import type { Deps } from '../deps.ts';

export interface InboundPolicy {
  /** Mails one sender address may have processed per minute; beyond it they are stored and held, never posted. */
  perSenderPerMinute: number;
  /** Processing attempts (interrupted or failed) before a mail is held as `processing-failed`. */
  maxAttempts: number;
  /**
   * How long a process's lease on a mail it processes holds before another may begin it (PARLEY_LEASE_SECONDS;
   * default 10). The ingestor renews its leases every third of it.
   */
  leaseSeconds?: number;
  /** The addresses and `@domain`s the receiver accepts besides the mail domain (PARLEY_INBOUND_RECIPIENTS): never copied. */
  ownRecipients?: readonly string[];
}

export interface InboundDeps
  extends Pick<Deps, 'storage' | 'clock' | 'tokens' | 'site' | 'signer'>, Partial<Pick<Deps, 'html'>> {
  mailParser: MailParser;
  policy: InboundPolicy;
  /** Verifies a sender (DMARC); without it only a signed reply address proves who wrote. */
  senderVerifier?: SenderVerifier | undefined;
}
