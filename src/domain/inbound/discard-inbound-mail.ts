import type { Deps, StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { getInboundMail } from './get-inbound-mail.ts';
import type { InboundMail } from './inbound-mail.ts';
import { REVIEWABLE } from './review-access.ts';

/** Discards a held mail (it stays stored, marked discarded, with who did it). */
export async function discardInboundMail(
  deps: Pick<Deps, 'clock'> & { storage: StorageOf<'attachments' | 'inbound' | 'settings' | 'tickets'> },
  actor: Actor,
  id: number,
): Promise<InboundMail> {
  const mail = await getInboundMail(deps, actor, id);
  const done =
    REVIEWABLE.includes(mail.status) &&
    (await deps.storage.inbound.finishInboundMail(
      id,
      {
        status: 'discarded',
        reason: 'discarded-by-reviewer',
        reasonText: `Discarded by ${actor.name}.`,
        resolvedById: actor.id,
        at: deps.clock.now().toISOString(),
      },
      REVIEWABLE,
    ));
  if (!done)
    throw new DomainError(
      'INBOUND_MAIL_NOT_PENDING',
      `Inbound mail ${id} is not held: only held mail (or mail taken for a loop) can be discarded.`,
    );
  // Its attachments were kept only for a reviewer to attach; the raw mail (which contains them) stays.
  await deps.storage.attachments.deleteUnlinkedInboundAttachments(id);
  return (await deps.storage.inbound.findInboundMail(id))!;
}
