/**
 * The one place that removes an account's credentials from text Parley keeps or shows: SMTP replies (stored on
 * outbox entries and attempts, returned by verify and the test mail), the IMAP reader's errors, and what is logged.
 * A server may echo what it was sent, so every form in which Parley sends a password is removed:
 *
 * - as typed (SMTP and IMAP LOGIN; IMAP's quoted form with `\"` and `\\` escapes too);
 * - base64 of AUTH PLAIN, `\0user\0pass` and `user\0user\0pass` (with and without padding);
 * - base64 of AUTH LOGIN's two steps: the user alone and the password alone;
 * - base64 of XOAUTH2, `user=<user>\x01auth=Bearer <token>\x01\x01`;
 * - and, for passwords long enough to tell apart from ordinary text, the part of any base64 text that encodes the
 *   password whatever came before it (three alignments), so an encoding not listed here is caught as well.
 */

export interface Credentials {
  user: string | null | undefined;
  password: string | null | undefined;
}

export const REDACTED = '[redacted]';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';

function utf8(text: string): number[] {
  return [...new TextEncoder().encode(text)];
}

function base64(bytes: readonly number[]): string {
  let out = '';
  for (let i = 0; i < bytes.length; i += 3) {
    const [a, b, c] = [bytes[i]!, bytes[i + 1], bytes[i + 2]];
    const n = (a << 16) | ((b ?? 0) << 8) | (c ?? 0);
    out += ALPHABET[(n >> 18) & 63]! + ALPHABET[(n >> 12) & 63]!;
    out += b === undefined ? '=' : ALPHABET[(n >> 6) & 63]!;
    out += c === undefined ? '=' : ALPHABET[n & 63]!;
  }
  return out;
}

/** The characters of base64 text that depend only on `bytes`, for each of the three offsets they may start at. */
function base64Cores(bytes: readonly number[]): string[] {
  const cores: string[] = [];
  for (const offset of [0, 1, 2]) {
    const encoded = base64([...Array<number>(offset).fill(0), ...bytes]);
    const firstGroup = offset === 0 ? 0 : 1;
    const fullGroups = Math.floor((offset + bytes.length) / 3);
    cores.push(encoded.slice(firstGroup * 4, fullGroups * 4));
  }
  return cores;
}

/** Shortest password whose base64 cores are removed wherever they appear (shorter ones would match chance text). */
const CORE_MIN_PASSWORD = 9;
const CORE_MIN_LENGTH = 8;

/** Every form of the credentials to remove, longest first (so a longer form is removed whole). */
export function secretForms(credentials: Credentials): string[] {
  const password = credentials.password ?? '';
  const user = credentials.user ?? '';
  if (!password) return [];
  const forms = new Set<string>([password]);
  const quoted = password.replace(/["\\]/g, '\\$&');
  forms.add(quoted);
  forms.add(JSON.stringify(password).slice(1, -1));
  // As a form body or a query string carries it (OAuth2's token requests): percent-encoded, spaces as + or %20.
  forms.add(encodeURIComponent(password));
  forms.add(new URLSearchParams({ p: password }).toString().slice(2));
  const encoded = [
    base64(utf8(`\u0000${user}\u0000${password}`)),
    base64(utf8(`${user}\u0000${user}\u0000${password}`)),
    base64(utf8(password)),
    base64(utf8(`user=${user}\u0001auth=Bearer ${password}\u0001\u0001`)),
  ];
  if (user) encoded.push(base64(utf8(user)));
  for (const form of encoded) {
    forms.add(form);
    forms.add(form.replace(/=+$/, ''));
  }
  if (password.length >= CORE_MIN_PASSWORD) {
    for (const core of base64Cores(utf8(password))) if (core.length >= CORE_MIN_LENGTH) forms.add(core);
  }
  return [...forms].filter((f) => f.length > 0).sort((a, b) => b.length - a.length);
}

/** `text` with every form of the credentials replaced by `[redacted]`. */
export function scrubSecrets(text: string, credentials: Credentials | readonly Credentials[]): string {
  let out = text;
  for (const c of Array.isArray(credentials) ? credentials : [credentials as Credentials]) {
    for (const form of secretForms(c)) if (out.includes(form)) out = out.split(form).join(REDACTED);
  }
  return out;
}

/**
 * `text` scrubbed, then cut to `max` characters: in that order, since a cut made first can leave the start of an
 * encoded secret that no longer matches any of its forms.
 */
export function scrubAndCut(text: string, credentials: Credentials | readonly Credentials[], max: number): string {
  return scrubSecrets(text, credentials).slice(0, max);
}

/**
 * Scrubs, in place, every string an error (and its cause, and the objects it carries) holds: message, stack and
 * the library's own fields (Nodemailer's `response`, imapflow's `responseText`, ...). For errors about to be
 * logged or kept as the cause of another. Returns the error.
 */
export function scrubError<T>(error: T, credentials: Credentials | readonly Credentials[]): T {
  const seen = new Set<object>();
  const visit = (value: unknown, depth: number): void => {
    if (typeof value !== 'object' || value === null || seen.has(value) || depth > 5) return;
    seen.add(value);
    const record = value as Record<string, unknown>;
    const keys = new Set([...Object.keys(record), ...(value instanceof Error ? ['message', 'stack', 'cause'] : [])]);
    for (const key of keys) {
      let field: unknown;
      try {
        field = record[key];
      } catch {
        continue;
      }
      if (typeof field === 'string') {
        const clean = scrubSecrets(field, credentials);
        if (clean !== field) {
          try {
            record[key] = clean;
          } catch {
            // a read-only field: left as it is (never logged by Parley)
          }
        }
      } else if (isBinary(field)) {
        continue;
      } else {
        visit(field, depth + 1);
      }
    }
  };
  visit(error, 0);
  return error;
}

/** Binary views (a Buffer of a server's bytes) are not walked byte by byte. */
function isBinary(value: unknown): boolean {
  return typeof value === 'object' && value !== null && ArrayBuffer.isView(value);
}
