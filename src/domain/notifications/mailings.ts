import { isStaff, normalizeEmail, type User } from '../users/user.ts';

/**
 * How a group's public messages reach the people its tickets copy: `cc`, one mail to the requester with the copies
 * in Cc, as email does (the default); `separate`, one mail each, none seeing the others.
 */
export const COPIES_MODES = ['cc', 'separate'] as const;
export type CopiesMode = (typeof COPIES_MODES)[number];

export function copiesModeOf(value: unknown): CopiesMode {
  return COPIES_MODES.includes(value as CopiesMode) ? (value as CopiesMode) : 'cc';
}

/** One mail: its recipient (whose language, link and reply address it carries) and the people it copies. */
export interface Mailing {
  to: User;
  cc: User[];
}

/**
 * The mails of one message, from its recipients (`notificationRecipients`, in order). Staff always get their own
 * mail (the desk's link, their language). With `cc`, everyone else (the requester and the people the ticket copies)
 * shares one mail: to the requester, or, when the requester is not told (they wrote it), to the first copy; the others
 * in Cc, in order. Nobody is copied at an address of ours (`isOurs`: such a person gets a mail of their own), nor
 * twice under one address. With `separate`, or with one such person only, one mail each.
 */
export function mailingsFor(
  recipients: readonly User[],
  requesterId: number,
  mode: CopiesMode,
  isOurs: (address: string) => boolean,
): Mailing[] {
  const shared = recipients.filter((u) => !isStaff(u) && !isOurs(u.email));
  if (mode === 'separate' || shared.length < 2) return recipients.map((to) => ({ to, cc: [] }));
  const to = shared.find((u) => u.id === requesterId) ?? shared[0]!;
  const addresses = new Set([normalizeEmail(to.email)]);
  const cc = shared.filter(
    (u) => u !== to && !addresses.has(normalizeEmail(u.email)) && addresses.add(normalizeEmail(u.email)),
  );
  const copied = new Set<User>(cc);
  return recipients.filter((u) => !copied.has(u)).map((u) => ({ to: u, cc: u === to ? cc : [] }));
}

/** What is ours, never to be copied: an address at the mail domain (reply and bounce addresses) or the sender's. */
export function ownAddressTest(mailDomain: string, sender: string | null): (address: string) => boolean {
  const domain = `@${mailDomain.toLowerCase()}`;
  const from = sender ? normalizeEmail(sender) : null;
  return (address) => {
    const a = normalizeEmail(address);
    return a.endsWith(domain) || a === from;
  };
}
