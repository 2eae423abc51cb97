/** The image types a message may show inline (the web renders them; nothing else is ever served as an image). */
export const INLINE_IMAGE_TYPES = ['image/png', 'image/jpeg', 'image/gif', 'image/webp'] as const;
export type InlineImageType = (typeof INLINE_IMAGE_TYPES)[number];

function startsWith(bytes: Uint8Array, at: number, signature: readonly number[]): boolean {
  return bytes.length >= at + signature.length && signature.every((b, i) => bytes[at + i] === b);
}

const ASCII = (s: string) => [...s].map((c) => c.charCodeAt(0));

/**
 * The image type of some bytes by their magic number (never the declared type): PNG, JPEG, GIF or WebP; null for
 * anything else (SVG included: it can carry scripts).
 */
export function sniffImageType(bytes: Uint8Array): InlineImageType | null {
  if (startsWith(bytes, 0, [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])) return 'image/png';
  if (startsWith(bytes, 0, [0xff, 0xd8, 0xff])) return 'image/jpeg';
  if (startsWith(bytes, 0, ASCII('GIF87a')) || startsWith(bytes, 0, ASCII('GIF89a'))) return 'image/gif';
  if (startsWith(bytes, 0, ASCII('RIFF')) && startsWith(bytes, 8, ASCII('WEBP'))) return 'image/webp';
  return null;
}
