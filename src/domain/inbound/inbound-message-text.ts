import { MAX_MESSAGE_LENGTH } from '../messages/message.ts';
import type { InboundFile } from './inbound-attachments.ts';

export const withoutNul = (s: string) => s.replace(/\u0000/g, '');
export const oneLine = (s: string, max: number) =>
  s
    .replace(/[\u0000-\u001f\u007f]+/g, ' ')
    .trim()
    .slice(0, max);

/** The message text: the reply, cut to fit with `reserve` characters left for what follows (the attachment note). */
function fitMessage(text: string, id: number, reserve = 0): string {
  const max = MAX_MESSAGE_LENGTH - reserve;
  if (text.length <= max) return text;
  const note = `\n\n[…] (cut here: the whole mail is kept as inbound mail #${id})`;
  return text.slice(0, max - note.length) + note;
}

/**
 * The text posted: the reply; when the mail has no text of its own but attachments, a line saying so (the
 * attachments are the message); and the note naming the attachments that were not kept.
 */
export function messageText(reply: string, id: number, files: readonly InboundFile[], note: string | null): string {
  const body =
    reply.length > 0
      ? reply
      : files.length === 0
        ? ''
        : files.length === 1
          ? '(Sent an attachment without text.)'
          : `(Sent ${files.length} attachments without text.)`;
  if (!note) return fitMessage(body, id);
  return body.length > 0 ? `${fitMessage(body, id, note.length + 2)}\n\n${note}` : note;
}
