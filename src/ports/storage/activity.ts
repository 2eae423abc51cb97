/** What else `onTicketActivity` can report besides tickets. */
export interface ActivityListeners {
  /** `signalInbound` was called (by any process where signals cross processes), with the ticket the mail names. */
  inbound?: (ticketId: number | null) => void;
  /** Signals may have been lost (the listening connection was re-opened): pages should refetch. */
  missed?: () => void;
}

/** What a staff member's open ticket page reported, heard by every instance (`signalPresence`); never stored. */
export interface PresenceSignal {
  ticketNumber: number;
  userId: number;
  name: string;
  /** The page (a browser tab) that reported it: one person may have the ticket open in several. */
  tab: string;
  state: 'viewing' | 'typing' | 'left';
  /** When the report lapses unless refreshed (ISO). */
  expiresAt: string;
}

/** Signals about committed changes: new mail due, webhook deliveries due, ticket activity, mail waiting for review. */
export interface ActivitySignals {
  /**
   * True when a signal reaches only the process that raised it (SQLite): a supervisor passes outbox and webhook
   * signals to its dispatcher thread or child (each opens its own storage), which passes its ticket activity back
   * (`relayTicketActivity`). False when every process hears every signal (PostgreSQL's NOTIFY).
   */
  readonly signalsStayInProcess: boolean;
  /** Calls `listener` when new mail may be due. */
  onOutboxSignal(listener: () => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` when mail a dispatcher may be sending right now was taken back (an erasure cancelled it, or took
   * a person out of its Cc and queued it again), or webhook deliveries it may be posting were deleted (an erasure): a
   * dispatcher renews its claims at once, and leaves alone what it no longer holds instead of sending its copy.
   */
  onOutboxWithdrawn(listener: () => void): Promise<() => Promise<void>>;
  /** Calls `listener` when webhook deliveries may be due (queued, or queued again by a resend). */
  onWebhookSignal(listener: () => void): Promise<() => Promise<void>>;
  /**
   * Calls `listener` with ticket ids after a commit changed their thread, status or mail states (`staffOnly`: only an
   * internal note was added, which requesters must not hear of).
   */
  onTicketActivity(
    listener: (ticketIds: number[], staffOnly: boolean) => void,
    also?: ActivityListeners,
  ): Promise<() => Promise<void>>;
  /**
   * The mail waiting for review changed (a mail held, attached or discarded): the pages of the staff who may review
   * it refresh their count. `ticketId`: the ticket the mail names (before it was attached), null or absent for none.
   */
  signalInbound(ticketId?: number | null): Promise<void>;
  /** Activity another process of this install reported (serve's dispatcher thread or child), when signals stay in process. */
  relayTicketActivity(ticketIds: readonly number[], staffOnly?: boolean): void;
  /** Tells every instance (this one included) what a staff member's ticket page reported. */
  signalPresence(signal: PresenceSignal): Promise<void>;
  /** Calls `listener` with each presence report, from any instance where signals cross processes. */
  onPresence(listener: (signal: PresenceSignal) => void): Promise<() => Promise<void>>;
}
