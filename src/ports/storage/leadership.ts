/**
 * Which one of the dispatchers sharing a database sends the mail as it is queued: the one that leads hears the
 * signals; the others stand by, look now and then, and lead once it is gone. Claims still decide who sends a mail, so
 * two that both think they lead (after a partition, until the old leader notices its connection is gone) never send
 * one mail twice.
 */
export interface Leadership {
  /**
   * Tries to lead, or tells whether it still does (no round trip while it holds): false while another process leads,
   * or while the database cannot be reached.
   */
  lead(): Promise<boolean>;
  /** Gives it up, if held, and closes what it opened. */
  close(): Promise<void>;
}
