import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import * as qp from 'nodemailer/lib/qp';
import type { OutgoingMail } from '../../ports/mail-transport.ts';

/**
 * The wire form of a notification, built in one pass into one Buffer with Nodemailer's own encoders (RFC 2047 words,
 * quoted-printable, header folding): multipart/alternative, the text part quoted-printable, the HTML part base64;
 * with attachments, that inside a multipart/mixed followed by one base64 part per file.
 *
 * Nodemailer's `sendMail` builds the same structure through MailComposer and a MimeNode tree streamed through several
 * transforms, which costs more CPU per mail than the rest of the dispatcher together (see BENCHMARKS.md). Every mail
 * here has the same fixed shape, so it is written directly. Every line is CRLF-terminated and at most 78 characters
 * (76 for encoded bodies); dot-stuffing is left to the SMTP connection, which applies it to the stream it sends.
 */

/** Header values never carry a line break or control character (no header injection, whatever the database holds). */
function oneLine(value: string): string {
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
}

/** A display name as a phrase: bare when it is a plain atom sequence, quoted when it has specials, RFC 2047 otherwise. */
function phrase(name: string): string {
  const clean = oneLine(name);
  if (!mimeFuncs.isPlainText(clean)) return mimeFuncs.encodeWords(clean, 'Q', 52, true);
  return /^[\w !#$%&'*+\-/=?^`{|}~]*$/.test(clean) ? clean : mimeFuncs.quoteString(clean);
}

function mailbox(address: string, name: string | null): string {
  const addr = oneLine(address);
  return name && oneLine(name) ? `${phrase(name)} <${addr}>` : addr;
}

/** `Key: value`, folded at 76 columns on spaces (encoded words are split at 52 so each fits a line). */
function header(key: string, value: string): string {
  return mimeFuncs.foldLines(`${key}: ${value}`, 76);
}

/** RFC 5322 date, as Nodemailer writes it. */
function mailDate(date: Date): string {
  return date.toUTCString().replace(/GMT/, '+0000');
}

function crlf(text: string): string {
  return text.replace(/\r\n|\r|\n/g, '\r\n');
}

/** Base64 in 76-character lines. */
function base64Lines(data: string | Uint8Array): string {
  const encoded = (
    typeof data === 'string' ? Buffer.from(data, 'utf8') : Buffer.from(data.buffer, data.byteOffset, data.byteLength)
  ).toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join('\r\n');
}

/** A content type fit for a header: a plain `type/subtype` token pair, or application/octet-stream. */
function mediaType(declared: string): string {
  const t = declared.trim().toLowerCase();
  return /^[a-z0-9][a-z0-9!#$&^_.+-]{0,63}\/[a-z0-9][a-z0-9!#$&^_.+-]{0,126}$/.test(t) ? t : 'application/octet-stream';
}

/**
 * An attachment part as Nodemailer's MimeNode writes one: the file name as an RFC 2231 parameter of the
 * Content-Disposition (continued over lines when long or not ASCII) and, for clients that read only the old form,
 * as an RFC 2047 `name` of the Content-Type; the bytes in base64.
 */
function attachmentPart(
  boundary: string,
  file: { name: string; contentType: string; content: Uint8Array; contentId?: string | null },
): string {
  const name = oneLine(file.name) || 'attachment.bin';
  let legacyName = mimeFuncs.encodeWords(name, 'Q', 52, true);
  if (legacyName !== name || /[\s'"\\;:/=(),<>@[\]?]|^-/.test(legacyName)) legacyName = JSON.stringify(legacyName);
  return (
    `--${boundary}\r\n` +
    `${header('Content-Type', `${mediaType(file.contentType)}; name=${legacyName}`)}\r\n` +
    `Content-Transfer-Encoding: base64\r\n` +
    (file.contentId ? `${header('Content-ID', `<${oneLine(file.contentId).replace(/[<>\s]/g, '')}>`)}\r\n` : '') +
    `${header('Content-Disposition', mimeFuncs.buildHeaderValue({ value: file.contentId ? 'inline' : 'attachment', params: { filename: name } }))}\r\n\r\n` +
    `${base64Lines(file.content)}\r\n`
  );
}

let boundaries = 0;

export function buildMimeMessage(mail: OutgoingMail, date: Date): Buffer {
  // "=_" never occurs in quoted-printable (it escapes "=") or in base64, so the boundary cannot occur in a part.
  const boundary = `=_parley_${process.pid.toString(36)}_${(++boundaries).toString(36)}`;
  const lines = [
    header('From', mailbox(mail.from.address, mail.from.name)),
    header('To', mailbox(mail.to.address, mail.to.name)),
  ];
  if (mail.cc?.length) lines.push(header('Cc', mail.cc.map((c) => mailbox(c.address, c.name)).join(', ')));
  if (mail.replyTo) lines.push(header('Reply-To', oneLine(mail.replyTo)));
  lines.push(header('Subject', mimeFuncs.encodeWords(oneLine(mail.subject), 'Q', 52, true)));
  lines.push(header('Message-ID', oneLine(mail.messageId)));
  if (mail.inReplyTo) lines.push(header('In-Reply-To', oneLine(mail.inReplyTo)));
  if (mail.references.length) lines.push(header('References', mail.references.map(oneLine).join(' ')));
  lines.push(`Date: ${mailDate(date)}`, 'MIME-Version: 1.0');
  for (const [key, value] of Object.entries(mail.headers))
    lines.push(header(key, mimeFuncs.encodeWords(oneLine(value), 'Q', 52)));
  const text = qp.wrap(qp.encode(crlf(mail.text)), 76);
  // Inline images (a Content-ID) travel with the HTML in a multipart/related; other files stay in multipart/mixed.
  const images = (mail.attachments ?? []).filter((f) => f.contentId);
  const related = `=_r${boundary}`;
  const htmlPart = `Content-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(crlf(mail.html))}\r\n`;
  const alternative =
    `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text}\r\n` +
    (images.length === 0
      ? `--${boundary}\r\n${htmlPart}`
      : `--${boundary}\r\nContent-Type: multipart/related; type="text/html"; boundary="${related}"\r\n\r\n` +
        `--${related}\r\n${htmlPart}` +
        images.map((file) => attachmentPart(related, file)).join('') +
        `--${related}--\r\n`) +
    `--${boundary}--\r\n`;
  const files = (mail.attachments ?? []).filter((f) => !f.contentId);
  if (files.length === 0) {
    lines.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);
    return Buffer.from(`${lines.join('\r\n')}\r\n\r\n${alternative}`, 'utf8');
  }
  // With attachments: multipart/mixed, the text and HTML alternatives first, then one part per file.
  // Neither boundary is a prefix of the other, so no parser can mistake one for the other.
  const mixed = `=_m${boundary}`;
  lines.push(`Content-Type: multipart/mixed; boundary="${mixed}"`);
  return Buffer.from(
    `${lines.join('\r\n')}\r\n\r\n` +
      `--${mixed}\r\nContent-Type: multipart/alternative; boundary="${boundary}"\r\n\r\n${alternative}` +
      files.map((file) => attachmentPart(mixed, file)).join('') +
      `--${mixed}--\r\n`,
    'utf8',
  );
}
