import type { ParsedMail } from '../../ports/inbound.ts';
import type { InboundDeps } from './inbound-deps.ts';
import { matchReply } from './match-reply.ts';

/** The ticket the matcher finds for a mail whatever its sender (a hint for who reviews it), or null. */
export async function ticketHint(
  deps: InboundDeps,
  parsed: ParsedMail,
  envelopeTo: readonly string[],
): Promise<number | null> {
  const match = await matchReply(deps, parsed, envelopeTo, undefined);
  return ticketIdOf(deps, match.kind === 'none' ? null : match.ticketNumber);
}

export async function ticketIdOf(deps: InboundDeps, ticketNumber: number | null): Promise<number | null> {
  if (ticketNumber === null) return null;
  return (await deps.storage.tickets.findTicketByNumber(ticketNumber))?.id ?? null;
}
