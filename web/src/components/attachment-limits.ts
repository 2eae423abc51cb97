import { ATTACHMENT_LIMITS } from '../api/limits.ts';

/**
 * The limits on files a person attaches to a message or a new ticket, as the API keeps them (read from its document
 * into api/limits.ts): checked here first so a file that would be refused is never read nor sent.
 */
export { ATTACHMENT_LIMITS };

/** Sizes as people read them, in their language: 512 B, 40 KB, 12.5 MB. */
export function formatSize(bytes: number, locale?: string): string {
  const n = (value: number, digits: number) =>
    new Intl.NumberFormat(locale, { maximumFractionDigits: digits }).format(value);
  if (bytes < 1024) return `${n(bytes, 0)} B`;
  if (bytes < 1024 * 1024) return `${n(Math.round(bytes / 1024), 0)} KB`;
  return `${n(bytes / (1024 * 1024), 1)} MB`;
}
