import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { getInboundMail } from './get-inbound-mail.ts';

/** The mail exactly as received. */
export async function inboundMailRaw(
  deps: { storage: StorageOf<'inbound' | 'settings' | 'tickets'> },
  actor: Actor,
  id: number,
): Promise<Uint8Array> {
  const mail = await getInboundMail(deps, actor, id);
  if (mail.rawRemovedAt) {
    throw new DomainError(
      'INBOUND_RAW_REMOVED',
      `The original of inbound mail ${id} was removed on ${mail.rawRemovedAt.slice(0, 10)}, after the retention period (PARLEY_INBOUND_KEEP_RAW_DAYS); what it became is kept.`,
    );
  }
  const raw = await deps.storage.inbound.inboundRaw(id);
  if (!raw) throw new DomainError('INBOUND_MAIL_NOT_FOUND', `Inbound mail ${id} does not exist.`);
  return raw;
}
