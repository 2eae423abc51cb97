import type { FastifyInstance } from 'fastify';
import { Type, type Static } from 'typebox';
import type { Deps } from '../../../domain/deps.ts';
import { downloadAttachment } from '../../../domain/messages/download-attachment.ts';
import { showInlineImage } from '../../../domain/messages/show-inline-image.ts';
import { actorOf, signedIn } from '../auth/authenticate-request.ts';
import { errorResponses } from '../schemas.ts';

/** `filename="..."`: printable ASCII only, quotes and backslashes replaced; the exact name goes in `filename*`. */
function asciiFallback(name: string): string {
  const ascii = name
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[^\x20-\x7e]/g, '_')
    .replace(/["\\]/g, '_')
    .trim();
  return ascii.replace(/^[._ ]+$/, '') || 'attachment';
}

/** RFC 8187 (RFC 5987) ext-value: UTF-8, percent-encoded beyond attr-char. */
function encodeExtValue(name: string): string {
  return encodeURIComponent(name).replace(/['()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const attachmentParams = Type.Object({ id: Type.String({ pattern: '^[A-Za-z0-9_-]{16,64}$' }) });

const DOWNLOAD_CSP = "default-src 'none'; sandbox";

export function contentDisposition(name: string): string {
  return `attachment; filename="${asciiFallback(name)}"; filename*=UTF-8''${encodeExtValue(name)}`;
}

/**
 * Attachments: downloaded, never rendered. Access is the thread's (`downloadAttachment`): a ticket the caller may not
 * see, or an internal note's attachment asked for by a requester, answers 404 as if it did not exist.
 */
export function attachmentRoutes(deps: Deps) {
  return async (app: FastifyInstance) => {
    // After the app's own onSend hook (which sets the API's policy): a download's policy also sandboxes it.
    app.addHook('onSend', async (request, reply) => {
      if (reply.statusCode === 200) reply.header('content-security-policy', DOWNLOAD_CSP);
    });
    // Typed by generics, not the type provider: the answer is bytes, which no response schema describes.
    app.get<{ Params: Static<typeof attachmentParams> }>(
      '/attachments/:id',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary: 'Download an attachment (always application/octet-stream, Content-Disposition: attachment)',
          params: attachmentParams,
          response: { ...errorResponses },
        },
      },
      async (request, reply) => {
        const { attachment, content } = await downloadAttachment(deps, actorOf(request), request.params.id);
        // Never sniffed, never shown inline, never cached by a shared cache (the hook above adds the sandboxing CSP).
        return reply
          .type('application/octet-stream')
          .header('content-disposition', contentDisposition(attachment.name))
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, no-store')
          .send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      },
    );
    app.get<{ Params: Static<typeof attachmentParams> }>(
      '/attachments/:id/inline',
      {
        onRequest: signedIn,
        schema: {
          tags: ['messages'],
          summary: "Show an inline image of a message's html (the web maps `cid:{contentId}` here)",
          description:
            'The same access rule as the download. Served only when the bytes are a PNG, JPEG, GIF or WebP image, with ' +
            'that type (sniffed, never the declared one), nosniff and a sandboxing policy; anything else is refused ' +
            'with 415 ATTACHMENT_NOT_IMAGE (download it instead).',
          params: attachmentParams,
          response: { ...errorResponses },
        },
      },
      async (request, reply) => {
        const { type, content } = await showInlineImage(deps, actorOf(request), request.params.id);
        return reply
          .type(type)
          .header('x-content-type-options', 'nosniff')
          .header('cache-control', 'private, max-age=3600')
          .send(Buffer.from(content.buffer, content.byteOffset, content.byteLength));
      },
    );
  };
}
