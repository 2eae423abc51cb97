import type { StorageOf } from '../deps.ts';
import { DomainError } from '../errors.ts';
import type { Actor } from '../users/user.ts';
import { downloadAttachment } from './download-attachment.ts';
import { sniffImageType, type InlineImageType } from './image-type.ts';

/**
 * An attachment's bytes to show as an image in the thread: the same access rule as a download, and only for PNG,
 * JPEG, GIF or WebP as its bytes say (the type served is the sniffed one, never the declared one).
 */
export async function showInlineImage(
  deps: { storage: StorageOf<'attachments' | 'tickets'> },
  actor: Actor,
  id: string,
): Promise<{ type: InlineImageType; content: Uint8Array }> {
  const { content } = await downloadAttachment(deps, actor, id);
  const type = sniffImageType(content);
  if (!type)
    throw new DomainError(
      'ATTACHMENT_NOT_IMAGE',
      'This attachment is not a PNG, JPEG, GIF or WebP image, so it can only be downloaded.',
    );
  return { type, content };
}
