import type { HtmlSanitizer } from '../../ports/html-sanitizer.ts';
import { DomainError } from '../errors.ts';
import { htmlToSafeText } from '../inbound/html-to-safe-text.ts';
import type { CheckedFile } from './attachment.ts';
import { sniffImageType } from './image-type.ts';

/** The `cid:` references of sanitized HTML, in order, each once. */
export function cidReferences(html: string): string[] {
  return [...new Set([...html.matchAll(/<img\b[^>]*?\ssrc="cid:([^"]+)"/g)].map((m) => m[1]!))];
}

/**
 * A message given as HTML: sanitized (the port's `message` allow-list), its plain text derived from it. Sanitized HTML
 * with neither text nor an image is empty; an image must name an inline upload, and an inline upload must be a PNG,
 * JPEG, GIF or WebP image (by its bytes) with a Content-ID no other upload of the message has.
 */
export function richMessage(
  sanitizer: HtmlSanitizer,
  given: string,
  files: readonly CheckedFile[],
): { html: string; text: string } {
  const html = sanitizer.sanitize(given, 'message');
  const text = htmlToSafeText(html).replace(/\s+$/, '');
  const images = cidReferences(html);
  if (text.trim().length === 0 && images.length === 0)
    throw new DomainError('MESSAGE_INVALID', 'A message cannot be empty.', { details: { field: 'html' } });
  const inline = new Set<string>();
  files.forEach((file, index) => {
    if (file.contentId === null) return;
    if (inline.has(file.contentId))
      throw new DomainError(
        'ATTACHMENT_INVALID',
        `Two inline images of the message have the same contentId "${file.contentId}".`,
        { details: { field: 'attachments', index } },
      );
    if (!sniffImageType(file.content))
      throw new DomainError(
        'ATTACHMENT_INVALID',
        `The inline image "${file.name}" is not a PNG, JPEG, GIF or WebP image.`,
        { details: { field: 'attachments', index } },
      );
    inline.add(file.contentId);
  });
  const missing = images.find((cid) => !inline.has(cid));
  if (missing !== undefined)
    throw new DomainError(
      'MESSAGE_IMAGE_MISSING',
      `The message shows an image "${missing}" that is not among its attachments; attach it with that contentId.`,
      { details: { field: 'html', contentId: missing } },
    );
  return { html, text };
}
