import type { ParsedMail } from '../../ports/inbound.ts';
import type { SenderVerifier } from '../../ports/sender-verifier.ts';
import type { Deps } from '../deps.ts';
import { readReplyAddress } from '../notifications/reply-address.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { InboundMail } from './inbound-mail.ts';
import { domainOf } from './mail-facts.ts';
import { recipientsOf } from './match-reply.ts';

/**
 * What proves who wrote a mail. A `From` header is a claim: a mail is taken as the person's only when it carries the
 * reply address signed for that person (`token`; the matcher makes sure it is for the ticket the mail goes to), or
 * when its sender is verified (`verified`: DMARC pass aligned with the From domain, by Parley's own check or a trusted
 * server's). Staff are proven by their reply address only.
 */
export interface SenderProof {
  by: 'token' | 'verified' | null;
  /** Why not, or how: for the reviewer. */
  detail: string;
}

export const NO_PROOF: SenderProof = { by: null, detail: 'unknown sender' };

/** Whether a proof lets this sender post (staff: only their signed reply address). */
export function proves(proof: SenderProof, sender: Actor): boolean {
  return proof.by === 'token' || (proof.by === 'verified' && !isStaff(sender));
}

export async function senderProof(
  deps: Pick<Deps, 'signer' | 'site'> & { senderVerifier?: SenderVerifier | undefined },
  mail: Pick<InboundMail, 'envelopeTo' | 'envelopeFrom' | 'remoteAddress' | 'helo'>,
  raw: Uint8Array,
  parsed: Pick<ParsedMail, 'to' | 'cc'>,
  sender: Actor,
  fromAddress: string,
): Promise<SenderProof> {
  const domain = deps.site.mailDomain.toLowerCase();
  for (const address of recipientsOf(parsed, mail.envelopeTo)) {
    if (!/^reply\+/i.test(address) || domainOf(address) !== domain) continue;
    const token = readReplyAddress(deps.signer, address);
    if (token && token.recipientId === sender.id)
      return { by: 'token', detail: `the reply address signed for ${fromAddress}` };
  }
  if (isStaff(sender))
    return { by: null, detail: 'staff answer by mail only from the reply address of their notification' };
  if (!deps.senderVerifier) return { by: null, detail: 'no sender verification is configured' };
  const verdict = await deps.senderVerifier.verify({
    raw,
    fromAddress,
    envelopeFrom: mail.envelopeFrom,
    remoteAddress: mail.remoteAddress,
    helo: mail.helo,
  });
  return verdict.verified ? { by: 'verified', detail: verdict.detail } : { by: null, detail: verdict.detail };
}
