import * as mimeFuncs from 'nodemailer/lib/mime-funcs';
import * as qp from 'nodemailer/lib/qp';
import type { OutgoingMail } from '../../ports/mail-transport.ts';

/**
 * The wire form of a notification, built in one pass into one Buffer with Nodemailer's own encoders (RFC 2047 words,
 * quoted-printable, header folding): multipart/alternative, the text part quoted-printable, the HTML part base64.
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
function base64Lines(text: string): string {
  const encoded = Buffer.from(text, 'utf8').toString('base64');
  const lines: string[] = [];
  for (let i = 0; i < encoded.length; i += 76) lines.push(encoded.slice(i, i + 76));
  return lines.join('\r\n');
}

let boundaries = 0;

export function buildMimeMessage(mail: OutgoingMail, date: Date): Buffer {
  // "=_" never occurs in quoted-printable (it escapes "=") or in base64, so the boundary cannot occur in a part.
  const boundary = `=_parley_${process.pid.toString(36)}_${(++boundaries).toString(36)}`;
  const lines = [
    header('From', mailbox(mail.from.address, mail.from.name)),
    header('To', mailbox(mail.to.address, mail.to.name)),
  ];
  if (mail.replyTo) lines.push(header('Reply-To', oneLine(mail.replyTo)));
  lines.push(header('Subject', mimeFuncs.encodeWords(oneLine(mail.subject), 'Q', 52, true)));
  lines.push(header('Message-ID', oneLine(mail.messageId)));
  if (mail.inReplyTo) lines.push(header('In-Reply-To', oneLine(mail.inReplyTo)));
  if (mail.references.length) lines.push(header('References', mail.references.map(oneLine).join(' ')));
  lines.push(`Date: ${mailDate(date)}`, 'MIME-Version: 1.0');
  for (const [key, value] of Object.entries(mail.headers)) lines.push(header(key, mimeFuncs.encodeWords(oneLine(value), 'Q', 52)));
  lines.push(`Content-Type: multipart/alternative; boundary="${boundary}"`);

  const text = qp.wrap(qp.encode(crlf(mail.text)), 76);
  return Buffer.from(
    `${lines.join('\r\n')}\r\n\r\n` +
      `--${boundary}\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: quoted-printable\r\n\r\n${text}\r\n` +
      `--${boundary}\r\nContent-Type: text/html; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n${base64Lines(crlf(mail.html))}\r\n` +
      `--${boundary}--\r\n`,
    'utf8',
  );
}
