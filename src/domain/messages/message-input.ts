import type { Deps } from '../deps.ts';
import { DomainError } from '../errors.ts';
import { dateFormatter } from '../locale.ts';
import { isStaff, type Actor } from '../users/user.ts';
import type { CheckedFile, UploadedFile } from './attachment.ts';
import { MAX_MESSAGE_LENGTH, type MessageSource } from './message.ts';
import { richMessage } from './rich-text.ts';

/*
 * What a person wrote for a new message, checked before anything is read or stored (`postMessage`): text or HTML,
 * its length, an internal note or time spent only from staff, the time-spent day a real date.
 */

export interface PostMessageInput {
  ticketNumber: number;
  /** Plain text; or `html` (exactly one of the two). */
  text: string | null;
  /** HTML, sanitized before it is stored, its text derived from it. */
  html?: string | null;
  internal?: boolean;
  sendEmail?: boolean;
  timeSpentMinutes?: number | null;
  timeSpentDate?: string | null;
  source: MessageSource;
  /** Files attached to the message: shown in the thread and sent with its notification mails. */
  attachments?: readonly UploadedFile[];
}

/** The HTML and its text when the message is given as HTML; null for a text message (exactly one of the two). */
export function richOf(deps: Partial<Pick<Deps, 'html'>>, input: PostMessageInput, files: readonly CheckedFile[]) {
  const html = input.html ?? null;
  if (html !== null && input.text != null)
    throw new DomainError('MESSAGE_INVALID', 'Give the message as text or as HTML, not both.', {
      details: { field: 'html' },
    });
  if (html === null) {
    if (input.text == null)
      throw new DomainError('MESSAGE_INVALID', 'A message needs its text (or, formatted, its HTML).', {
        details: { field: 'text' },
      });
    if (files.some((f) => f.contentId !== null))
      throw new DomainError('ATTACHMENT_INVALID', 'Inline images (with a contentId) go with a message given as HTML.', {
        details: { field: 'attachments' },
      });
    return null;
  }
  if (!deps.html) throw new Error('postMessage: a message given as HTML needs the HTML sanitizer.');
  return richMessage(deps.html, html, files);
}

export function dayIn(iso: string, timeZone: string): string {
  return dateFormatter('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date(iso));
}

const DAY = /^(\d{4})-(\d{2})-(\d{2})$/;

export function checkInput(actor: Actor, input: PostMessageInput, rich: { html: string; text: string } | null) {
  const text = rich ? rich.text : (input.text ?? '').replace(/\r\n?/g, '\n').replace(/\s+$/, '');
  // A message given as HTML was checked by richMessage (an image alone is not empty).
  if (!rich && text.trim().length === 0)
    throw new DomainError('MESSAGE_INVALID', 'A message cannot be empty.', { details: { field: 'text' } });
  if (text.length > MAX_MESSAGE_LENGTH) {
    throw new DomainError(
      'MESSAGE_INVALID',
      `A message can be at most ${MAX_MESSAGE_LENGTH.toLocaleString('en-US')} characters.`,
      { details: { field: 'text' } },
    );
  }
  const staff = isStaff(actor);
  const internal = input.internal ?? false;
  if (internal && !staff)
    throw new DomainError('MESSAGE_INTERNAL_NOT_ALLOWED', 'Only technicians can write internal notes.');
  const minutes = input.timeSpentMinutes ?? null;
  const day = input.timeSpentDate ?? null;
  if ((minutes !== null || day !== null) && !staff) {
    throw new DomainError('MESSAGE_INVALID', 'Only technicians can log time spent.', {
      details: { field: 'timeSpentMinutes' },
    });
  }
  if (minutes !== null && (!Number.isInteger(minutes) || minutes < 0 || minutes > 24 * 60 * 31)) {
    throw new DomainError('MESSAGE_INVALID', 'Time spent must be a whole number of minutes from 0 to 44,640.', {
      details: { field: 'timeSpentMinutes' },
    });
  }
  if (day !== null) {
    const m = DAY.exec(day);
    const date = m ? new Date(`${day}T00:00:00Z`) : undefined;
    const valid = date && !Number.isNaN(date.getTime()) && date.toISOString().startsWith(day);
    if (!valid)
      throw new DomainError('MESSAGE_INVALID', 'The time-spent date must be a real date written YYYY-MM-DD.', {
        details: { field: 'timeSpentDate' },
      });
  }
  // A requester's message always reaches the technician; staff may leave the box unchecked.
  const sendEmail = internal ? false : staff ? (input.sendEmail ?? true) : true;
  const html: string | null = rich?.html ?? null;
  return { text, html, internal, sendEmail, minutes, day };
}
