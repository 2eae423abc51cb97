import type { Locale, Localized } from '../locale.ts';
import type { ClassificationField, Ticket } from '../tickets/ticket.ts';

/** One earlier public message of the ticket, as a mail shows it below the reply marker. */
export interface HistoryEntry {
  authorName: string;
  createdAt: string;
  text: string;
  /** The names of its files: named in the mail, never attached again. */
  attachments: readonly string[];
}

/** Everything a notification can say, gathered once per recipient before rendering. */
export interface RenderContext {
  ticket: Pick<
    Ticket,
    'number' | 'title' | 'status' | 'requesterName' | 'contactName' | 'responsibleName' | ClassificationField
  >;
  message: {
    text: string;
    /** Its sanitized HTML (a rich message): the HTML part shows it as it is; absent or null for a text message. */
    html?: string | null;
    authorName: string;
    createdAt: string;
    timeSpentMinutes: number | null;
    timeSpentDate: string | null;
  };
  recipient: { locale: Locale; timeZone: string };
  ticketUrl: string;
  /** The earlier public messages of the ticket, newest first (`${HISTORY}`); none when not loaded. */
  history?: readonly HistoryEntry[];
  /**
   * What `${SIGNATURE}` renders, its keys filled in for this context's recipient (`signatures/signature.ts`
   * `signatureRenderer`, made once per mail): the author's signature when staff wrote and has one, else the ticket's
   * team's; none (empty) for a requester's message.
   */
  signature?: SignatureRenderer | null;
}

/**
 * The longest a signature may render to, its keys' longest values counted: checked when a signature is saved
 * (`signatures/signature.ts`), and `${SIGNATURE}`'s bound in a template's size check.
 */
export const MAX_RENDERED_SIGNATURE = 10_000;

/** A signature, parsed once, rendered for a recipient as text (its keys filled in, never `${SIGNATURE}` itself). */
export type SignatureRenderer = (ctx: RenderContext) => string;

export interface TemplateKey {
  /** The canonical name; `aliases` are the same value under the names of the other CITSmart documents. */
  name: string;
  aliases: readonly string[];
  description: Localized;
  /** Where the key comes from: a CITSmart document, or Parley's own addition. */
  origin: 'citsmart' | 'parley';
  /** Multi-line values get `<br>` for their line breaks in HTML. */
  multiline?: boolean;
  /** The longest value the key can have, in characters: bounds a template's rendered size at save. */
  maxLength: number;
  value(ctx: RenderContext): string;
  /**
   * The value as ready HTML for the HTML part (already sanitized: inserted as it is, never escaped, never expanded);
   * null to use the escaped `value`.
   */
  html?(ctx: RenderContext): string | null;
}
