import { escapeHtml } from '../../../domain/templates/render-template.ts';

/** How an erasure finds the person in text it keeps or scrubs: a history line under their name, their address. */

/**
 * Whether a mail quotes the person: `${HISTORY}` writes each earlier message under a line that starts with its
 * author's name and " – " (the same in every language; HTML-escaped in the HTML part). Only that line counts, so a
 * name inside a longer one ("Ana" in "Banana – ") or a mail that merely greets them is left alone.
 */
export function quotesPerson(mail: { subject: string; text: string; html: string }, names: readonly string[]): boolean {
  const escape = (t: string) => t.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return names.some((name) => {
    if (name.trim() === '') return false;
    const plain = new RegExp(`(^|\\n)${escape(name)} – `);
    const html = new RegExp(`(^|[\\n>])${escape(escapeHtml(name))} – `);
    // A subject has the history on one line, its line breaks turned into spaces.
    const subject = new RegExp(`(^|\\s)${escape(name)} – `);
    return plain.test(mail.text) || html.test(mail.html) || subject.test(mail.subject);
  });
}

/**
 * A character that continues an address before it, and the start of one that continues it after it: ASCII letters and
 * digits, `_`, `+`, `-` and `.`. Other characters an address may hold (`'`, `=`, `/`) count as its edge, since texts
 * quote addresses with them (`'nina@example.org'`, `to=<…>`), and so do letters beyond ASCII (`邮箱nina@example.org`):
 * for an erasure, a mention wrongly found costs less than one missed.
 */
const GOES_ON_BEFORE = /[A-Za-z0-9_+.-]/;
const GOES_ON_AFTER = /^([A-Za-z0-9_-]|\.[A-Za-z0-9_])/;

/** Whether the mention of an address at `at` (`length` long) in `text` is a whole address, not inside a longer one. */
function wholeAt(text: string, at: number, length: number): boolean {
  return !GOES_ON_BEFORE.test(text[at - 1] ?? ' ') && !GOES_ON_AFTER.test(text.slice(at + length, at + length + 2));
}

/** Whether `text` names one of `addresses` (lower case) as a whole address, not inside a longer one. */
export function namesAddress(text: string, addresses: readonly string[]): boolean {
  const lower = text.toLowerCase();
  return addresses.some((a) => {
    for (let at = lower.indexOf(a); at !== -1; at = lower.indexOf(a, at + 1))
      if (wholeAt(lower, at, a.length)) return true;
    return false;
  });
}

/**
 * Whether a JSON value names one of `addresses` in one of its strings (keys too), each read as text: in the JSON's own
 * text an address after a line break or a tab follows a backslash and `n` or `t`, a letter that hides its edge.
 */
export function valueNamesAddress(value: unknown, addresses: readonly string[]): boolean {
  if (typeof value === 'string') return namesAddress(value, addresses);
  if (Array.isArray(value)) return value.some((v) => valueNamesAddress(v, addresses));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).some(([k, v]) => namesAddress(k, addresses) || valueNamesAddress(v, addresses));
  return false;
}

/**
 * The headers that name a mail's sender: From, Sender, Reply-To, and Return-Path (the envelope sender, as the server
 * that delivered it to a mailbox records it).
 */
const SENDER_HEADER = /^(from|sender|reply-to|return-path)[ \t]*:(.*)$/i;

/**
 * Whether the header section of a raw mail (read as text) names one of `addresses` (lower case) in a sender header,
 * its folded lines joined. What the mail's body says is not looked at: others' mail may mention the person.
 */
export function senderHeadersName(raw: string, addresses: readonly string[]): boolean {
  const end = raw.search(/\r?\n\r?\n/);
  const head = (end === -1 ? raw : raw.slice(0, end)).replace(/\r?\n(?=[ \t])/g, '');
  return head.split(/\r?\n/).some((line) => {
    const header = SENDER_HEADER.exec(line);
    return header !== null && namesAddress(header[2]!, addresses);
  });
}

/** Whether a JSON text names one of `addresses` in one of its strings; a text that is not JSON is read as it is. */
export function jsonNamesAddress(json: string, addresses: readonly string[]): boolean {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch {
    return namesAddress(json, addresses);
  }
  return valueNamesAddress(value, addresses);
}

/** `text` with each whole mention of one of `addresses` (lower case; any case in `text`) replaced by `by`. */
export function replaceAddresses(text: string, addresses: readonly string[], by: string): string {
  return addresses.reduce(
    (out, address) =>
      out.replace(
        new RegExp(address.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'), 'gi'),
        (match, at: number, whole: string) => (wholeAt(whole, at, match.length) ? by : match),
      ),
    text,
  );
}
