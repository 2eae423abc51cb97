export const MESSAGE_SOURCES = ['portal', 'desk', 'email', 'api'] as const;
export type MessageSource = (typeof MESSAGE_SOURCES)[number];

export interface Message {
  id: number;
  ticketId: number;
  text: string;
  /** Sanitized HTML (`cid:` references to its inline images kept as written); null for a plain-text message. */
  html: string | null;
  internal: boolean;
  sendEmail: boolean;
  source: MessageSource;
  authorId: number;
  authorName: string;
  authorRole: 'requester' | 'technician' | 'admin';
  timeSpentMinutes: number | null;
  timeSpentDate: string | null;
  createdAt: string;
  /** Its text and files were removed at its author's request (erasure): the thread keeps only that it existed. */
  removed: boolean;
}

export const MAX_MESSAGE_LENGTH = 20_000;

/** The longest HTML a message may be given as (before sanitizing): four times the text, room for the markup. */
export const MAX_MESSAGE_HTML_LENGTH = 4 * MAX_MESSAGE_LENGTH;
