import { DomainError } from '../errors.ts';

/** What the thread shows of an attachment: never its bytes. */
export interface AttachmentSummary {
  /** Generated, unguessable (128 random bits): the only way an attachment is addressed. */
  id: string;
  /** Normalised for display (see `normalizeAttachmentName`); never used as a path. */
  name: string;
  size: number;
  /** As the sender declared it: information only, downloads are always application/octet-stream. */
  contentType: string;
  /** An inline image's Content-ID (without <>), referenced as `cid:` by the message's HTML; null otherwise. */
  contentId: string | null;
}

export interface Attachment extends AttachmentSummary {
  ticketId: number | null;
  messageId: number | null;
  inboundMailId: number | null;
  /** Shown inline in the sender's mail (Content-Disposition: inline, or a part of multipart/related). */
  inline: boolean;
  sha256: string;
  createdAt: string;
}

/** An attachment as stored, with the thread message's `internal` flag (null when it belongs to no message). */
export interface StoredAttachment extends Attachment {
  internal: boolean | null;
}

export interface NewAttachment extends Omit<Attachment, 'createdAt' | 'contentId'> {
  /** An inline image's Content-ID; null or absent for an ordinary file. */
  contentId?: string | null;
  content: Uint8Array;
}

/** An attachment a notification mail may carry (its bytes are read when the mail is sent). */
export interface MailAttachment {
  messageId: number;
  id: string;
  name: string;
  contentType: string;
  size: number;
  /** An image of the message's HTML: sent in its multipart/related, referenced as `cid:`; null for a file. */
  contentId: string | null;
}

export const MAX_ATTACHMENT_NAME = 120;

/**
 * A name fit to show and to offer as a download's file name: no path (only what follows the last `/` or `\`, drive
 * letters dropped), no control, format or bidirectional-override characters (U+202E turns `a\u202Egnp.exe` into
 * "aexe.png"), no leading dots (`.htaccess`), no characters Windows refuses, whitespace collapsed and trimmed, at most
 * 120 characters keeping the extension; `attachment-N.bin` when nothing is left.
 */
export function normalizeAttachmentName(raw: string | null | undefined, position: number): string {
  let name = (raw ?? '').normalize('NFC');
  // Control characters (C0, DEL, C1), format characters (zero-width, bidi marks, overrides and isolates, BOM),
  // line and paragraph separators, and unpaired surrogates.
  name = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, ' ');
  name = name.replace(/[\p{Cf}\u2028\u2029]/gu, '');
  name = name.replace(/[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g, '');
  name = name.split(/[/\\]/).pop() ?? '';
  name = name.replace(/^[a-zA-Z]:/, '');
  name = name.replace(/[<>:"|?*]/g, '_');
  name = name.replace(/\s+/g, ' ').trim();
  name = name.replace(/^[.\s]+/, '').replace(/[.\s]+$/, '');
  if (name === '') return `attachment-${position}.bin`;
  const chars = [...name];
  if (chars.length > MAX_ATTACHMENT_NAME) {
    const dot = name.lastIndexOf('.');
    const ext = dot > 0 ? [...name.slice(dot)] : [];
    const keepExt = ext.length > 1 && ext.length <= 16 ? ext : [];
    name =
      chars
        .slice(0, MAX_ATTACHMENT_NAME - keepExt.length)
        .join('')
        .trimEnd() + keepExt.join('');
  }
  return name;
}

/** Declared content types are information only; a hostile or absurd one is cut to something harmless to show. */
export function contentTypeOf(declared: string | null | undefined): string {
  const t = (declared ?? '').trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(t) ? t : 'application/octet-stream';
}

/**
 * Files a person attaches to a message (portal, desk, API). They travel in the notification mail, so together they
 * stay well under the 20–25 MB most mail servers accept once base64 has grown them by a third.
 */
export const OUTGOING_ATTACHMENT_LIMITS = {
  maxCount: 10,
  maxBytes: 10 * 1024 * 1024,
  maxTotalBytes: 10 * 1024 * 1024,
} as const;

/** A file as uploaded: the bytes and their SHA-256 (computed where the bytes were read), the name as given. */
export interface UploadedFile {
  name: string;
  contentType?: string | null;
  /** Makes it an inline image of the message's HTML (`cid:`), when given. */
  contentId?: string | null;
  content: Uint8Array;
  sha256: string;
}

/** A checked upload: name normalised, content type cleaned, ready to be stored. */
export interface CheckedFile {
  name: string;
  contentId: string | null;
  contentType: string;
  size: number;
  sha256: string;
  content: Uint8Array;
}

/**
 * Checks uploads against the limits and normalises their names; throws a DomainError naming the file and the limit.
 * Nothing is stored when one file fails: the message and its files are one write.
 */
export function checkUploads(files: readonly UploadedFile[] | undefined): CheckedFile[] {
  if (!files || files.length === 0) return [];
  const limits = OUTGOING_ATTACHMENT_LIMITS;
  if (files.length > limits.maxCount) {
    throw new DomainError(
      'ATTACHMENT_INVALID',
      `A message can carry at most ${limits.maxCount} attachments (got ${files.length}).`,
      { details: { field: 'attachments' } },
    );
  }
  let total = 0;
  return files.map((file, i) => {
    const name = normalizeAttachmentName(file.name, i + 1);
    const size = file.content.byteLength;
    if (size === 0)
      throw new DomainError('ATTACHMENT_INVALID', `The attachment "${name}" is empty.`, {
        details: { field: 'attachments', index: i },
      });
    if (size > limits.maxBytes) {
      throw new DomainError(
        'ATTACHMENT_TOO_LARGE',
        `The attachment "${name}" (${formatSize(size)}) is over the limit of ${formatSize(limits.maxBytes)} for one attachment.`,
        {
          details: { field: 'attachments', index: i },
        },
      );
    }
    total += size;
    if (total > limits.maxTotalBytes) {
      throw new DomainError(
        'ATTACHMENT_TOO_LARGE',
        `The attachments are over the limit of ${formatSize(limits.maxTotalBytes)} for one message together (at "${name}").`,
        {
          details: { field: 'attachments', index: i },
        },
      );
    }
    return {
      name,
      contentType: contentTypeOf(file.contentType),
      contentId: file.contentId ?? null,
      size,
      sha256: file.sha256,
      content: file.content,
    };
  });
}

/** Sizes as people read them: 512 B, 40 KB, 12.5 MB. */
export function formatSize(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${Math.round(bytes / 1024)} KB`;
  const mb = bytes / (1024 * 1024);
  return `${mb < 10 ? mb.toFixed(1) : Math.round(mb)} MB`;
}

export function summaryOf({
  id,
  name,
  size,
  contentType,
  contentId,
}: Omit<AttachmentSummary, 'contentId'> & { contentId?: string | null }): AttachmentSummary {
  return { id, name, size, contentType, contentId: contentId ?? null };
}
