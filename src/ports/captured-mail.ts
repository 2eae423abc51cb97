/** A mail kept by the built-in mail catcher. */
export interface CapturedMail {
  id: number;
  receivedAt: string;
  envelope: { from: string | null; to: string[] };
  messageId: string | null;
  from: string | null;
  to: string | null;
  replyTo: string | null;
  subject: string;
  text: string;
  html: string | null;
  headers: Record<string, string>;
  size: number;
  raw: string;
}

/** What the API shows of the mail catcher. */
export interface CapturedMails {
  list(): CapturedMail[];
  get(id: number): CapturedMail | undefined;
}
