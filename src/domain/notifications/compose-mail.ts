import type { OutgoingMail } from '../../ports/mail-transport.ts';
import { formatSize, type MailAttachment } from '../messages/attachment.ts';
import { escapeHtml } from '../templates/render-template.ts';
import type { OutboxEntry } from './outbox-entry.ts';

/**
 * The wire form of an entry: everything but the sender was frozen when the message was posted. `envelopeFrom`: the
 * entry's signed bounce address (`bounceAddress`), so a delivery report can be tied to this mail and no other.
 */
export function composeMail(
  entry: OutboxEntry,
  from: { name: string | null; address: string },
  attachments: OutgoingMail['attachments'] = [],
  omitted: readonly Pick<MailAttachment, 'name' | 'size'>[] = [],
  envelopeFrom?: string,
): OutgoingMail {
  // Files that did not fit in the mail are named at its end: the recipient finds them on the ticket.
  const note =
    omitted.length === 0
      ? null
      : `Not attached (too large for one mail; they are on the ticket): ${omitted.map((f) => `${f.name} (${formatSize(f.size)})`).join(', ')}.`;
  return {
    from,
    ...(envelopeFrom ? { envelopeFrom } : {}),
    to: { name: entry.toName, address: entry.toAddress },
    ...(entry.cc.length > 0 ? { cc: entry.cc } : {}),
    replyTo: entry.replyTo,
    subject: entry.subject,
    text: note ? `${entry.text}\n\n${note}` : entry.text,
    html: note ? `${entry.html}\n<p>${escapeHtml(note)}</p>` : entry.html,
    messageId: entry.messageIdHeader,
    inReplyTo: entry.threadId,
    references: entry.threadId ? [entry.threadId] : [],
    headers: {
      // RFC 3834: an automatic notification; out-of-office replies should not answer it.
      'Auto-Submitted': 'auto-generated',
      'X-Auto-Response-Suppress': 'All',
    },
    attachments,
  };
}
