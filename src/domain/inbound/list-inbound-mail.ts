import type { Page } from '../../ports/storage.ts';
import type { StorageOf } from '../deps.ts';
import { ticketScope } from '../tickets/ticket-access.ts';
import type { Actor } from '../users/user.ts';
import type { InboundMail, InboundStatus } from './inbound-mail.ts';
import { mayReviewInboundMail, requireStaff } from './review-access.ts';
import { supportMailboxTeam } from './support-mailbox-team.ts';

export async function listInboundMail(
  deps: { storage: StorageOf<'inbound' | 'settings'> },
  actor: Actor,
  query: { status?: InboundStatus; cursor?: string | null; limit?: number },
): Promise<Page<InboundMail>> {
  requireStaff(actor);
  const team = actor.role === 'admin' ? null : await supportMailboxTeam(deps);
  return deps.storage.inbound.listInboundMail(
    {
      ...(query.status ? { status: query.status } : {}),
      scope: ticketScope(actor),
      withoutTicket: mayReviewInboundMail(actor, null, team),
    },
    { cursor: query.cursor ?? null, limit: query.limit ?? 50 },
  );
}
