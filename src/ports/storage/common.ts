/** A write broke a uniqueness rule (an email, a group name): raised by adapters, mapped to a conflict by the domain. */
export class UniqueViolation extends Error {
  override name = 'UniqueViolation';
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
