/** A write broke a uniqueness rule (an email, a group name): raised by adapters, mapped to a conflict by the domain. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
}

/**
 * A message's author was erased or deactivated before its write (their actor was loaded earlier): nothing of it was
 * written. Raised by adapters, mapped to a refusal by the domain.
 */
export class AuthorGone extends Error {
  override name = 'AuthorGone';
  constructor(
    readonly authorId: number,
    /** Erased (GDPR, LGPD); otherwise deactivated, or no longer there. */
    readonly erased: boolean,
  ) {
    super(`The author ${authorId} was ${erased ? 'erased' : 'deactivated'} before the message was written.`);
  }
}

/**
 * A person a message's mails or events were rendered with (a recipient, the ticket's requester), not erased then, was
 * erased before its write: nothing of it was written. Raised by adapters; the domain reads and renders it again.
 */
export class PersonErased extends Error {
  override name = 'PersonErased';
  constructor(readonly userIds: readonly number[]) {
    super(`Users ${userIds.join(', ')} were erased after the message's mails were rendered.`);
  }
}

export interface Page<T> {
  items: T[];
  nextCursor: string | null;
}

export interface PageRequest {
  cursor?: string | null;
  limit: number;
}

/** Which tickets a listing may show: a requester's own, a technician's (groups and responsibility), or all. */
export type TicketScope =
  | { kind: 'requester'; requesterId: number }
  | { kind: 'technician'; userId: number; groupIds: readonly number[] }
  | { kind: 'all' };
