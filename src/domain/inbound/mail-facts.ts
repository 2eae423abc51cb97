/**
 * Pure readings of an inbound mail's headers: loop and auto-reply signs (RFC 3834, RFC 2076), our own Message-IDs,
 * delivery status notifications (RFC 3464), the `[#number]` subject tag. No decision about tickets is taken here.
 */
import type { ParsedMail } from '../../ports/inbound.ts';
import type { InboundReason } from './inbound-mail.ts';

/** Only this many Message-IDs of In-Reply-To/References are considered (the most recent ones, at the end). */
export const MAX_REFERENCES = 50;

/** `<local@domain>` tokens of a header value, in order, brackets kept; bounded. */
export function messageIdsIn(value: string, max = MAX_REFERENCES * 4): string[] {
  const ids: string[] = [];
  const re = /<([^<>\s@]{1,250}@[^<>\s@]{1,250})>/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(value)) !== null && ids.length < max) ids.push(`<${m[1]}>`);
  return ids;
}

export function domainOf(addressOrId: string): string {
  const at = addressOrId.lastIndexOf('@');
  return at === -1 ? '' : addressOrId.slice(at + 1).replace(/>$/, '').toLowerCase();
}

/** A Message-ID minted by this install (`<parley.…@mail domain>`): a notification or a thread id. */
export function isOurMessageId(id: string, mailDomain: string): boolean {
  return /^<parley\.[^<>@\s]+@[^<>@\s]+>$/i.test(id) && domainOf(id) === mailDomain.toLowerCase();
}

/** The ticket a thread id `<parley.ticket.N@domain>` names. */
export function ticketOfThreadId(id: string, mailDomain: string): number | undefined {
  const m = /^<parley\.ticket\.(\d{1,10})@([^<>@\s]+)>$/i.exec(id);
  if (!m || m[2]!.toLowerCase() !== mailDomain.toLowerCase()) return undefined;
  const n = Number(m[1]);
  return Number.isSafeInteger(n) && n > 0 && n <= 2_147_483_647 ? n : undefined;
}

/** Our Message-IDs a reply refers to, most recent first, without repeats. */
export function ourReferences(mail: Pick<ParsedMail, 'inReplyTo' | 'references'>, mailDomain: string): string[] {
  const all = [...mail.inReplyTo, ...mail.references.slice(-MAX_REFERENCES)];
  const seen = new Set<string>();
  const ours: string[] = [];
  for (let k = all.length - 1; k >= 0; k--) {
    const id = all[k]!;
    const key = id.toLowerCase();
    if (seen.has(key) || !isOurMessageId(id, mailDomain)) continue;
    seen.add(key);
    ours.push(id);
  }
  return ours;
}

const first = (mail: Pick<ParsedMail, 'header'>, name: string): string | undefined => mail.header(name)[0]?.trim();

/**
 * Why this mail must not be treated as a person's reply (an auto-reply, a list, a loop, a bounce without a report,
 * our own notification coming back); undefined when none of those signs is present.
 */
export function loopSign(
  mail: Pick<ParsedMail, 'header' | 'messageId'>,
  envelopeFrom: string | null,
  mailDomain: string,
): { reason: InboundReason; text: string } | undefined {
  if (mail.messageId && isOurMessageId(mail.messageId, mailDomain)) {
    return { reason: 'own-notification', text: `The mail carries a Message-ID of this install (${mail.messageId}): one of our own notifications came back.` };
  }
  const autoSubmitted = first(mail, 'auto-submitted');
  if (autoSubmitted !== undefined) {
    const value = autoSubmitted.split(';')[0]!.trim().toLowerCase();
    if (value !== 'no') return { reason: 'auto-submitted', text: `Auto-Submitted: ${value || '(empty)'} — an automatic mail, never answered or posted.` };
  }
  const precedence = first(mail, 'precedence')?.toLowerCase();
  if (precedence && /^(bulk|list|junk)\b/.test(precedence)) {
    return { reason: 'precedence', text: `Precedence: ${precedence} — a bulk or list mail, never answered or posted.` };
  }
  if (mail.header('x-loop').length > 0) return { reason: 'x-loop', text: 'The mail has an X-Loop header: it went round a loop.' };
  const returnPath = first(mail, 'return-path');
  if (envelopeFrom === '' || (returnPath !== undefined && /^<\s*>$/.test(returnPath))) {
    return { reason: 'null-return-path', text: 'The mail has a null return path (MAIL FROM:<>): it was sent by a machine, not a person.' };
  }
  return undefined;
}

export interface DeliveryReport {
  /** Message-IDs of the mail the report is about. */
  originalMessageIds: string[];
  /** Per recipient: action (failed, delayed, delivered, relayed, expanded), status (5.1.1) and the diagnostic. */
  recipients: { recipient: string | null; action: string | null; status: string | null; diagnostic: string | null }[];
}

/** Header-like fields of a block (RFC 822 syntax), unfolded; names lower-cased. */
function fields(block: string): { name: string; value: string }[] {
  const out: { name: string; value: string }[] = [];
  for (const line of block.slice(0, 64 * 1024).split(/\r?\n/)) {
    if (/^[ \t]/.test(line) && out.length > 0) {
      out[out.length - 1]!.value += ` ${line.trim()}`;
      continue;
    }
    const m = /^([A-Za-z0-9-]{1,80}):[ \t]*(.*)$/.exec(line);
    if (m) out.push({ name: m[1]!.toLowerCase(), value: m[2]!.trim() });
  }
  return out;
}

/** Reads a delivery status notification's parts (RFC 3464); undefined when the mail is not one. */
export function readDeliveryReport(report: ParsedMail['report']): DeliveryReport | undefined {
  if (!report) return undefined;
  const status = report.deliveryStatus.replace(/\r\n/g, '\n');
  // Per-message fields, then one block per recipient, separated by blank lines.
  const blocks = status.split(/\n[ \t]*\n/).map(fields).filter((b) => b.length > 0);
  const recipients = blocks
    .filter((b) => b.some((f) => f.name === 'final-recipient' || f.name === 'original-recipient' || f.name === 'action'))
    .slice(0, 100)
    .map((b) => {
      const get = (name: string) => b.find((f) => f.name === name)?.value ?? null;
      const recipient = get('final-recipient') ?? get('original-recipient');
      return {
        recipient: recipient ? recipient.replace(/^[^;]*;\s*/, '').slice(0, 254) : null,
        action: get('action')?.toLowerCase().slice(0, 40) ?? null,
        status: get('status')?.slice(0, 40) ?? null,
        diagnostic: get('diagnostic-code')?.slice(0, 1000) ?? null,
      };
    });
  const ids = [
    ...fields(status).filter((f) => f.name === 'original-message-id' || f.name === 'x-original-message-id'),
    ...fields(report.returnedHeaders).filter((f) => f.name === 'message-id' || f.name === 'original-message-id'),
  ].flatMap((f) => messageIdsIn(f.value, 5));
  return { originalMessageIds: [...new Set(ids)].slice(0, 20), recipients };
}

/** True when the report says delivery failed for good (an action `failed`, or a 5.x.x status). */
export function isPermanentFailure(report: DeliveryReport): boolean {
  return report.recipients.some((r) => r.action === 'failed' || /^5\./.test(r.status ?? ''));
}

/** `status 5.1.1; smtp; 550 5.1.1 <x@y>: no such user` — what the outbox keeps as the attempt's reply. */
export function describeReport(report: DeliveryReport): string {
  const parts = report.recipients.map((r) =>
    [r.recipient && `to ${r.recipient}`, r.action && `action ${r.action}`, r.status && `status ${r.status}`, r.diagnostic].filter(Boolean).join('; '),
  );
  return `Bounce (delivery status notification): ${parts.join(' | ') || 'no recipient details'}`.slice(0, 2000);
}

/** The ticket number of a `[#123]` tag in a subject (the first), if any. */
export function subjectTicketNumber(subject: string): number | undefined {
  const m = /\[#(\d{1,10})\]/.exec(subject.slice(0, 1000));
  if (!m) return undefined;
  const n = Number(m[1]);
  return n > 0 && n <= 2_147_483_647 ? n : undefined;
}

/** A ticket title from a mail's subject: reply and forward prefixes and control characters removed, one line, bounded. */
export function titleFromSubject(subject: string): string {
  let t = subject.slice(0, 1000).replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
  for (let k = 0; k < 10; k++) {
    const next = t.replace(/^(re|fw|fwd|aw|wg|sv|vs|res|enc|rv|tr)\s*(\[\d+\])?\s*:\s*/i, '');
    if (next === t) break;
    t = next;
  }
  t = t.slice(0, 200).trim();
  return t || '(no subject)';
}

/** True when a header of ours (Authentication-Results added by the receiving MTA) reports a failed SPF or DMARC check. */
export function authenticationFailed(mail: Pick<ParsedMail, 'header'>): boolean {
  return mail.header('authentication-results').some((v) => /\b(dmarc|spf)\s*=\s*fail\b/i.test(v.slice(0, 4000)));
}
