import type { ParsedAttachment, SkippedAttachment } from '../../ports/inbound.ts';
import type { Tokens } from '../../ports/tokens.ts';
import { contentTypeOf, formatSize, normalizeAttachmentName, type NewAttachment } from '../messages/attachment.ts';

/** A kept attachment of an inbound mail, its name normalised, ready to be stored once it is known where it goes. */
export interface InboundFile {
  name: string;
  contentType: string;
  size: number;
  sha256: string;
  content: Uint8Array;
  inline: boolean;
  /** An inline image's Content-ID, which the mail's HTML names as `cid:`: kept when well formed and first of its name. */
  contentId: string | null;
}

/** The Content-IDs a message's HTML may name (the sanitizer keeps `cid:` sources of this form only). */
const CONTENT_ID = /^[A-Za-z0-9][A-Za-z0-9._@-]{0,250}$/;

export function inboundFiles(parsed: readonly ParsedAttachment[]): InboundFile[] {
  const seen = new Set<string>();
  return parsed.map((a, i) => {
    const cid = a.contentId !== null && CONTENT_ID.test(a.contentId) && !seen.has(a.contentId) ? a.contentId : null;
    if (cid !== null) seen.add(cid);
    return {
      name: normalizeAttachmentName(a.name, i + 1),
      contentType: contentTypeOf(a.contentType),
      size: a.size,
      sha256: a.sha256,
      content: a.content,
      inline: a.inline,
      contentId: cid,
    };
  });
}

const WHY: Record<SkippedAttachment['reason'], string> = {
  'too-large': 'too large',
  'too-many': 'too many attachments',
  'total-too-large': 'over the total size kept per mail',
};

const LISTED = 10;

/**
 * What the thread and the inbound mail say about attachments that were not kept, e.g.
 * `[2 attachments were not kept: a.zip (40 MB, too large); b.iso (30 MB, over the total size kept per mail)]`;
 * null when every attachment was kept.
 */
export function skippedNote(skipped: readonly SkippedAttachment[], keptCount: number): string | null {
  if (skipped.length === 0) return null;
  const listed = skipped
    .slice(0, LISTED)
    .map((s, i) => `${normalizeAttachmentName(s.name, keptCount + i + 1)} (${formatSize(s.size)}, ${WHY[s.reason]})`);
  const more = skipped.length > LISTED ? `; and ${skipped.length - LISTED} more` : '';
  const count = skipped.length === 1 ? '1 attachment was' : `${skipped.length} attachments were`;
  return `[${count} not kept: ${listed.join('; ')}${more}]`;
}

/** The rows to store: each under a new unguessable id (128 random bits), attached where `place` says. */
export function newAttachments(
  tokens: Pick<Tokens, 'random'>,
  files: readonly InboundFile[],
  place: { inboundMailId: number; ticketId: number | null; messageId: number | null },
): NewAttachment[] {
  return files.map((f) => ({
    id: tokens.random(16),
    ticketId: place.ticketId,
    messageId: place.messageId,
    inboundMailId: place.inboundMailId,
    name: f.name,
    contentType: f.contentType,
    size: f.size,
    sha256: f.sha256,
    inline: f.inline,
    contentId: f.contentId,
    content: f.content,
  }));
}
