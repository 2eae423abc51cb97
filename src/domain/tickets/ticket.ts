import type { CopiesMode } from '../notifications/mailings.ts';
import type { TicketStatus } from './ticket-status.ts';

export interface Ticket {
  id: number;
  /** The public key shown to requesters (CITSmart's IDSERVICEREQUEST). */
  number: number;
  title: string;
  description: string;
  status: TicketStatus;
  requesterId: number;
  requesterName: string;
  /**
   * Whether the requester's personal data was erased, when read with the ticket (`findTicketByNumber`; absent when
   * not): a message's write checks that a requester not erased then still is not (`NewMessage.renderedWith`).
   */
  requesterErased?: boolean;
  contactName: string | null;
  registeredById: number;
  registeredByName: string;
  groupId: number | null;
  groupName: string | null;
  responsibleId: number | null;
  responsibleName: string | null;
  demandType: string | null;
  activity: string | null;
  relatedService: string | null;
  portfolio: string | null;
  category: string | null;
  createdAt: string;
  updatedAt: string;
  lastActivityAt: string;
  /** The time of the last change a requester can see: an internal note moves `lastActivityAt` only. */
  publicActivityAt: string;
  /** Users the ticket copies (Cc), besides its requester: participants who may see it and are told of its messages. */
  copyIds: number[];
  /**
   * The signature of the ticket's team (null: none), when it was read with the ticket (`findTicketByNumber`), so a
   * message's mails need no read of their own for `${SIGNATURE}`; absent when not read.
   */
  groupSignature?: string | null;
  /** How the ticket's team sends copies (`mailings.ts`), when read with the ticket as its signature is; absent when not. */
  groupCopiesMode?: CopiesMode;
  /** The mailbox the ticket's team sends from (null: the default), when read with the ticket; absent when not. */
  groupMailboxId?: number | null;
}

/** Free-text classification fields a ticket carries for the template keys. */
export const CLASSIFICATION_FIELDS = ['demandType', 'activity', 'relatedService', 'portfolio', 'category'] as const;
export type ClassificationField = (typeof CLASSIFICATION_FIELDS)[number];
/** The classification as a request gives it: each field optional, null clears it. */
export type ClassificationInput = Partial<Record<ClassificationField, string | null>>;
