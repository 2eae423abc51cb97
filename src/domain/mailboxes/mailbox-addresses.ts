import type { Uses } from '../../ports/storage.ts';
import type { Mailbox } from './mailbox.ts';

/** Every team mailbox by its sender address (lower case): addresses of ours, which mail may be sent to. */
export async function mailboxAddresses(repos: Uses<{ mailboxes: 'listMailboxes' }>): Promise<Map<string, Mailbox>> {
  const found = new Map<string, Mailbox>();
  for (const m of await repos.mailboxes.listMailboxes()) found.set(m.fromAddress.toLowerCase(), m);
  return found;
}

/** The team a mail to one of these addresses belongs to: the first team (lowest id) of the first mailbox named. */
export function mailboxTeam(addresses: ReadonlyMap<string, Mailbox>, recipients: readonly string[]): number | null {
  for (const r of recipients) {
    const groups = addresses.get(r.toLowerCase())?.groupIds ?? [];
    if (groups.length > 0) return Math.min(...groups);
  }
  return null;
}
