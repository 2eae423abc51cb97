import type { TicketSearch } from '../../ports/storage.ts';

/** More words than this add little to a search and cost the database; the rest are ignored. */
const MAX_WORDS = 8;

/**
 * What a search box holds, taken apart: `#123` or `123` is also a ticket number; the words (letters and digits,
 * lowered) are searched in titles and message text; the whole text, lowered, in the requester's name and address.
 * Nothing to search (only spaces or punctuation) is no search.
 */
export function parseTicketSearch(text: string | undefined): TicketSearch | undefined {
  const raw = (text ?? '').normalize('NFC').trim();
  if (!raw) return undefined;
  const digits = /^#?(\d{1,9})$/.exec(raw);
  const number = digits ? Number(digits[1]) : null;
  const words = raw
    .toLowerCase()
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0)
    .slice(0, MAX_WORDS);
  if (number === null && words.length === 0) return undefined;
  return { number: number !== null && number > 0 ? number : null, words, requester: raw.toLowerCase() };
}
