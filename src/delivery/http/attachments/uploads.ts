import { createHash } from 'node:crypto';
import { Type, type Static } from 'typebox';
import { DomainError } from '../../../domain/errors.ts';
import { OUTGOING_ATTACHMENT_LIMITS, type UploadedFile } from '../../../domain/messages/attachment.ts';

/** The longest base64 text one file can need; a longer one is refused by the schema, before it is decoded. */
const MAX_BASE64 = Math.ceil(OUTGOING_ATTACHMENT_LIMITS.maxBytes / 3) * 4;

/** Files in a JSON body: the bytes in base64 (standard alphabet, padded), the name and type as the browser gave them. */
export const uploadSchema = Type.Object(
  {
    name: Type.String({ maxLength: 1000 }),
    contentType: Type.Optional(Type.String({ maxLength: 255 })),
    content: Type.String({ maxLength: MAX_BASE64, description: 'The bytes, base64-encoded.' }),
    contentId: Type.Optional(
      Type.String({
        pattern: '^[A-Za-z0-9][A-Za-z0-9._-]{0,62}$',
        description:
          'Makes the file an inline image of the html, referenced as `<img src="cid:{contentId}">`: PNG, JPEG, GIF or WebP (checked on the bytes), unique within the message; counts against the attachment limits.',
      }),
    ),
  },
  { additionalProperties: false },
);
export type UploadBody = Static<typeof uploadSchema>;

export const uploadsSchema = Type.Array(uploadSchema, {
  maxItems: OUTGOING_ATTACHMENT_LIMITS.maxCount,
  // Annotations only (Ajv ignores them): the size limits, checked on the decoded bytes, for the web app (limits.ts).
  'x-max-bytes': OUTGOING_ATTACHMENT_LIMITS.maxBytes,
  'x-max-total-bytes': OUTGOING_ATTACHMENT_LIMITS.maxTotalBytes,
  description: `Files sent with it (at most ${OUTGOING_ATTACHMENT_LIMITS.maxCount}, ${OUTGOING_ATTACHMENT_LIMITS.maxTotalBytes / 1024 / 1024} MB together), their bytes in base64.`,
});

/**
 * The body limit of a route that takes uploads: every file at its largest in base64, plus room for the rest of the
 * body. Past it Fastify answers 413 before reading more.
 */
export const UPLOAD_BODY_LIMIT = Math.ceil(OUTGOING_ATTACHMENT_LIMITS.maxTotalBytes / 3) * 4 + 1024 * 1024;

/** Decodes the files of a body; a file whose content is not base64 is refused by name (nothing is stored). */
export function decodeUploads(files: readonly UploadBody[] | undefined): UploadedFile[] {
  return (files ?? []).map((file, index) => {
    // Node's decoder skips what is not base64; encoding back and comparing refuses anything but canonical, padded
    // base64 (what browsers and every library write), in linear time.
    const content = Buffer.from(file.content, 'base64');
    if (content.toString('base64') !== file.content) {
      throw new DomainError(
        'ATTACHMENT_INVALID',
        `The content of attachment ${index + 1} ("${file.name.slice(0, 120)}") is not base64.`,
        {
          details: { field: 'attachments', index },
        },
      );
    }
    return {
      name: file.name,
      contentType: file.contentType ?? null,
      contentId: file.contentId ?? null,
      content: new Uint8Array(content.buffer, content.byteOffset, content.byteLength),
      sha256: createHash('sha256').update(content).digest('hex'),
    };
  });
}
