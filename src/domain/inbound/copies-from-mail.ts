import type { MailAddress, ParsedMail } from '../../ports/inbound.ts';
import type { Repositories } from '../../ports/storage.ts';
import type { Tokens } from '../../ports/tokens.ts';
import { DomainError } from '../errors.ts';
import { COPIES_FROM_MAIL, PARAM, type CopiesFromMail } from '../parameters/parameter-catalogue.ts';
import { recordTicketChanges } from '../tickets/record-ticket-changes.ts';
import { MAX_COPIES, type CopyInput } from '../tickets/set-ticket-copies.ts';
import type { Ticket } from '../tickets/ticket.ts';
import { isEmailAddress, isStaff, normalizeEmail, validateNewUser, type Actor, type User } from '../users/user.ts';
import { domainOf } from './mail-facts.ts';

/** What is ours, so never copied: the support address (parameter 10), the mail domain, what the receiver accepts. */
export interface OwnAddresses {
  mailDomain: string;
  supportAddress: string | null;
  /** PARLEY_INBOUND_RECIPIENTS: addresses and `@domain`s. */
  ownRecipients?: readonly string[] | undefined;
}

/** Reads parameter 9036 (anything unknown is the default, same-domain). */
export function copiesRule(value: unknown): CopiesFromMail {
  return COPIES_FROM_MAIL.includes(value as CopiesFromMail) ? (value as CopiesFromMail) : 'same-domain';
}

/**
 * The people in the To and Cc of a requester's mail who become copies of its ticket (parameter 9036): none with
 * `never`; those of the requester's domain with `same-domain`; everyone with `anyone`. Never the requester, never an
 * address of ours (the support address, the mail domain and its `reply+` addresses, what the receiver accepts); at
 * most MAX_COPIES. Pure: whether a person is staff or deactivated is decided when they are looked up.
 */
export function mailCopyCandidates(
  mail: Pick<ParsedMail, 'to' | 'cc'>,
  requesterEmail: string,
  rule: CopiesFromMail,
  own: OwnAddresses,
): CopyInput[] {
  if (rule === 'never') return [];
  const requester = normalizeEmail(requesterEmail);
  const requesterDomain = domainOf(requester);
  const ownDomain = own.mailDomain.toLowerCase();
  const extra = (own.ownRecipients ?? []).map((r) => r.trim().toLowerCase());
  const isOurs = (email: string) =>
    email === own.supportAddress?.toLowerCase() ||
    domainOf(email) === ownDomain ||
    extra.includes(email) ||
    extra.includes(`@${domainOf(email)}`);
  const found = new Map<string, CopyInput>();
  for (const a of [...mail.to, ...mail.cc].slice(0, 200) as MailAddress[]) {
    const email = normalizeEmail(a.address);
    if (!isEmailAddress(email) || email === requester || isOurs(email) || found.has(email)) continue;
    if (rule === 'same-domain' && domainOf(email) !== requesterDomain) continue;
    found.set(email, { email, name: a.name?.trim() ? a.name.trim().slice(0, 200) : null });
    if (found.size >= MAX_COPIES) break;
  }
  return [...found.values()];
}

/**
 * Whether a mail's To and Cc name anyone but the requester and addresses at our mail domain: when not (a plain reply
 * to its `reply+` address), it can make no copy, whatever the parameters say, and they need not be read.
 */
export function namesOthers(mail: Pick<ParsedMail, 'to' | 'cc'>, requesterEmail: string, mailDomain: string): boolean {
  const requester = normalizeEmail(requesterEmail);
  const ownDomain = mailDomain.toLowerCase();
  return ([...mail.to, ...mail.cc] as MailAddress[]).some((a) => {
    const email = normalizeEmail(a.address);
    return email !== requester && domainOf(email) !== ownDomain;
  });
}

/**
 * Adds `candidates` to the copies of `ticket` in the caller's transaction, as the requester's change (a ticket event
 * like any change of copies). An unknown address becomes a requester without a password (in the requester's language
 * and time zone), as `setTicketCopies` does; staff and deactivated users are left out (staff follow a ticket through
 * their team, and a requester's mail does not enrol them); the ticket keeps at most MAX_COPIES. Returns the ids added.
 */
export async function addMailCopies(
  tx: Pick<Repositories, 'people' | 'tickets' | 'webhooks'>,
  tokens: Pick<Tokens, 'unique'>,
  requester: Actor,
  ticketNumber: number,
  candidates: readonly CopyInput[],
  at: string,
): Promise<number[]> {
  if (candidates.length === 0) return [];
  const before = await tx.tickets.findTicketByNumber(ticketNumber);
  if (!before) return [];
  const ids = [...before.copyIds];
  const added: number[] = [];
  for (const entry of candidates) {
    if (ids.length >= MAX_COPIES) break;
    let user: User | undefined = await tx.people.findUserByEmail(entry.email);
    if (user && (!user.active || isStaff(user))) continue;
    if (!user) {
      let fields: ReturnType<typeof validateNewUser>;
      try {
        fields = validateNewUser({
          role: 'requester',
          email: entry.email,
          name: entry.name?.trim() || entry.email.split('@')[0]!,
          locale: requester.locale,
          timeZone: requester.timeZone,
        });
      } catch (error) {
        // An address or name a user cannot have is left out: it never keeps the mail from being posted.
        if (error instanceof DomainError) continue;
        throw error;
      }
      user = await tx.people.createUser({ ...fields, passwordHash: null }, at);
    }
    if (user.id === before.requesterId || ids.includes(user.id)) continue;
    ids.push(user.id);
    added.push(user.id);
  }
  if (added.length === 0) return [];
  await tx.tickets.setTicketCopies(before.id, ids, at);
  await recordTicketChanges(tx, tokens, requester.id, before as Ticket, { copyIds: ids }, at);
  return added;
}

/** The candidates of a requester's mail under the stored parameters (9036, and 10 as our support address). */
export function copyCandidatesOf(
  parameters: ReadonlyMap<number, unknown>,
  own: { mailDomain: string; ownRecipients?: readonly string[] | undefined },
  mail: Pick<ParsedMail, 'to' | 'cc'>,
  requesterEmail: string,
): CopyInput[] {
  const support = parameters.get(PARAM.SMTP_FROM);
  return mailCopyCandidates(mail, requesterEmail, copiesRule(parameters.get(PARAM.COPIES_FROM_MAIL)), {
    mailDomain: own.mailDomain,
    supportAddress: typeof support === 'string' && support !== '' ? support : null,
    ownRecipients: own.ownRecipients,
  });
}
