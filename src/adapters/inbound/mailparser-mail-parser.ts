import { createHash } from 'node:crypto';
import { type Readable } from 'node:stream';
import type { MailParser as Parser, AddressObject, EmailAddress } from 'mailparser';
import {
  DEFAULT_ATTACHMENT_LIMITS,
  type AttachmentLimits,
  type MailAddress,
  type MailParser,
  type ParsedAttachment,
  type ParsedMail,
  type SkippedAttachment,
} from '../../ports/inbound.ts';
import { loadOnce } from '../load-once.ts';

// mailparser is loaded at the first mail parsed, not by every process that may receive one.
const mailparser = loadOnce(() => import('mailparser'));

/** Parts of a delivery report kept (their beginning): the report itself and the returned message's headers. */
const REPORT_TYPES = new Set([
  'message/delivery-status',
  'message/global-delivery-status',
  'text/rfc822-headers',
  'message/rfc822',
]);
const MAX_REPORT_PART = 64 * 1024;
/** HTML beyond this is not parsed by mailparser (the reply extractor reads at most 1,000,000 characters anyway). */
const MAX_HTML = 2 * 1024 * 1024;
const MAX_ADDRESSES = 200;
/**
 * MIME parts read. mailparser's splitter stops at its own limit (1,000 by default) with an error that leaves the
 * parse pending forever, so the limit is raised here and mails that could exceed it are refused before parsing.
 */
const MAX_PARTS = 20_000;
/** A parse that has not finished by then is abandoned (the mail is held as unparseable, never retried forever). */
const PARSE_TIMEOUT_MS = 30_000;

/** Lines starting with "--": an upper bound of the number of MIME boundaries (and so of parts). */
function boundaryLines(raw: Buffer): number {
  let count = 0;
  for (let at = raw.indexOf('\n--'); at !== -1; at = raw.indexOf('\n--', at + 3)) count++;
  return count;
}

function addresses(value: unknown): MailAddress[] {
  const out: MailAddress[] = [];
  const visit = (list: EmailAddress[] | undefined) => {
    for (const a of list ?? []) {
      if (out.length >= MAX_ADDRESSES) return;
      if (a.group) visit(a.group);
      else if (a.address) out.push({ address: a.address, name: a.name ?? '' });
    }
  };
  for (const object of (Array.isArray(value) ? value : value ? [value] : []) as AddressObject[]) visit(object.value);
  return out;
}

/** `<id@host>` tokens of header values, brackets kept, bounded. */
function ids(values: string[], max = 200): string[] {
  const out: string[] = [];
  for (const v of values) {
    for (const m of v.matchAll(/<([^<>\s@]{1,250}@[^<>\s@]{1,250})>/g)) {
      out.push(`<${m[1]}>`);
      if (out.length >= max) return out;
    }
  }
  return out;
}

/**
 * Header fields a hop adds on top of a mail in transit (trace fields, RFC 5321 and 7208; ARC; a receiver's own
 * `X-` fields, such as spam scores); the first field of another name is the sender's.
 */
const TRACE_FIELDS = new Set([
  'received',
  'return-path',
  'delivered-to',
  'envelope-to',
  'authentication-results',
  'received-spf',
]);
const isTraceField = (name: string) => TRACE_FIELDS.has(name) || name.startsWith('arc-') || name.startsWith('x-');

/**
 * `ParsedMail.contentSha256`: the mail from its first field that is not a trace field, without
 * Authentication-Results.
 */
export function contentSha256(bytes: Buffer): string {
  const head = bytes.toString('latin1', 0, Math.min(bytes.length, 1024 * 1024));
  const end = /\r?\n\r?\n/.exec(head);
  const headerEnd = end ? end.index : head.length;
  // Each field with its continuation lines, its line end included.
  const fields = head.slice(0, headerEnd).match(/[^\r\n]*(?:\r?\n[ \t][^\r\n]*)*(?:\r?\n|$)/g) ?? [];
  const hash = createHash('sha256');
  let transit = true;
  for (const field of fields) {
    if (field.length === 0) continue;
    const name = /^([!-9;-~]+):/.exec(field)?.[1]?.toLowerCase() ?? '';
    if (transit && isTraceField(name)) continue;
    transit = false;
    if (name !== 'authentication-results') hash.update(field, 'latin1');
  }
  // One latin1 character per byte: the body starts at the same offset in the bytes.
  return hash.update(bytes.subarray(headerEnd)).digest('hex');
}

/**
 * mailparser, streaming: headers, the text and HTML bodies, the parts of a delivery report, and the attachments within
 * `limits`: the first `maxCount` parts of at most `maxBytes` each and `maxTotalBytes` together are kept; a part past
 * a limit is drained and dropped as it streams (never buffered beyond the limit) and reported as skipped. Inline
 * parts (images of the HTML, by cid:) are attachments like the others: a screenshot pasted into a reply is one.
 * So memory stays bounded by the text parts and the limits, whatever the number or size of parts.
 */
export class MailparserMailParser implements MailParser {
  private readonly limits: AttachmentLimits;

  constructor(limits: Partial<AttachmentLimits> = {}) {
    this.limits = { ...DEFAULT_ATTACHMENT_LIMITS, ...limits };
  }

  async parse(raw: Uint8Array): Promise<ParsedMail> {
    const bytes = Buffer.from(raw.buffer, raw.byteOffset, raw.byteLength);
    if (boundaryLines(bytes) >= MAX_PARTS) throw new Error(`The mail has more than ${MAX_PARTS} MIME parts.`);
    let timer: NodeJS.Timeout | undefined;
    const parsing: { parser?: InstanceType<typeof Parser> } = {};
    const timeout = new Promise<never>((_resolve, reject) => {
      timer = setTimeout(() => {
        // Stop the parser too, so a mail that takes too long stops costing CPU and memory once it is given up on.
        parsing.parser?.destroy();
        reject(new Error(`The mail could not be parsed within ${PARSE_TIMEOUT_MS / 1000} s.`));
      }, PARSE_TIMEOUT_MS);
    });
    try {
      return await Promise.race([this.parseBytes(bytes, parsing), timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private async parseBytes(bytes: Buffer, parsing: { parser?: InstanceType<typeof Parser> }): Promise<ParsedMail> {
    const { MailParser: Parser } = await mailparser();
    const parser = new Parser({
      // Passed on to mailparser's splitter (not in its type declarations).
      ...({ maxChildNodes: MAX_PARTS + 10 } as object),
      skipHtmlToText: true,
      skipTextToHtml: true,
      skipImageLinks: true,
      skipTextLinks: true,
      keepDeliveryStatus: true,
      maxHtmlLengthToParse: MAX_HTML,
    });
    parsing.parser = parser;
    let headers: Map<string, unknown> = new Map();
    let headerLines: { key: string; line: string }[] = [];
    let text: string | null = null;
    let html: string | null = null;
    const reportParts: { type: string; content: string }[] = [];
    const attachments: ParsedAttachment[] = [];
    const skippedAttachments: SkippedAttachment[] = [];
    const limits = this.limits;
    let keptBytes = 0;
    parser.on('headers', (h: Map<string, unknown>) => {
      headers = h;
      headerLines = (parser as unknown as { headerLines: { key: string; line: string }[] }).headerLines ?? [];
    });
    type Part = {
      type: string;
      text?: string;
      html?: string | false;
      contentType?: string;
      content?: Readable;
      release?: () => void;
      filename?: string;
      contentDisposition?: string;
      related?: boolean;
      contentId?: string;
    };
    // As mailparser's own simpleParser reads: one part at a time, an attachment drained (and released) before the next.
    let reading = false;
    const read = (): void => {
      reading = true;
      const part = parser.read() as Part | null;
      if (part === null) {
        reading = false;
        return;
      }
      if (part.type === 'text') {
        if (typeof part.text === 'string') text = part.text;
        if (typeof part.html === 'string') html = part.html;
        return read();
      }
      if (part.type !== 'attachment' || !part.content) return read();
      const keep = REPORT_TYPES.has((part.contentType ?? '').toLowerCase()) && reportParts.length < 4;
      const chunks: Buffer[] = [];
      let length = 0;
      // As an attachment: kept while within the limits; the first limit it passes is why it is skipped.
      let skipped: SkippedAttachment['reason'] | null = attachments.length >= limits.maxCount ? 'too-many' : null;
      const files: Buffer[] = [];
      let size = 0;
      part.content.on('data', (chunk: Buffer) => {
        if (keep && length < MAX_REPORT_PART) {
          chunks.push(chunk);
          length += chunk.length;
        }
        size += chunk.length;
        if (skipped === null && size > limits.maxBytes) skipped = 'too-large';
        if (skipped === null && keptBytes + size > limits.maxTotalBytes) skipped = 'total-too-large';
        if (skipped === null) files.push(chunk);
        else files.length = 0;
      });
      part.content.on('end', () => {
        if (keep)
          reportParts.push({
            type: part.contentType!.toLowerCase(),
            content: Buffer.concat(chunks).subarray(0, MAX_REPORT_PART).toString('utf8'),
          });
        const name = typeof part.filename === 'string' ? part.filename : null;
        if (skipped !== null) {
          skippedAttachments.push({ name, size, reason: skipped });
        } else {
          keptBytes += size;
          const content = Buffer.concat(files, size);
          attachments.push({
            name,
            contentType: (part.contentType ?? 'application/octet-stream').toLowerCase(),
            size,
            sha256: createHash('sha256').update(content).digest('hex'),
            content,
            inline: part.contentDisposition === 'inline' || part.related === true,
            contentId: typeof part.contentId === 'string' ? part.contentId.trim().replace(/^<|>$/g, '') || null : null,
          });
        }
        part.release?.();
        read();
      });
    };
    await new Promise<void>((resolve, reject) => {
      parser.on('readable', () => {
        if (!reading) read();
      });
      parser.once('end', () => resolve());
      parser.once('error', reject);
      parser.end(bytes);
    });

    const lines = new Map<string, string[]>();
    for (const { key, line } of headerLines) {
      const value = line
        .slice(line.indexOf(':') + 1)
        .replace(/\r?\n[ \t]+/g, ' ')
        .trim();
      const list = lines.get(key.toLowerCase());
      if (list) list.push(value);
      else lines.set(key.toLowerCase(), [value]);
    }
    const header = (name: string) => lines.get(name.toLowerCase()) ?? [];
    const contentType = headers.get('content-type') as { value?: string; params?: Record<string, string> } | undefined;
    const isReport =
      contentType?.value?.toLowerCase() === 'multipart/report' &&
      /delivery-status/i.test(contentType.params?.['report-type'] ?? '');
    const status = reportParts.find((p) => p.type.endsWith('delivery-status'));
    const returned = reportParts.find((p) => p.type === 'text/rfc822-headers' || p.type === 'message/rfc822');
    const subject = headers.get('subject');
    return {
      messageId: ids(header('message-id'), 1)[0] ?? null,
      inReplyTo: ids(header('in-reply-to'), 20),
      references: ids(header('references')),
      from: addresses(headers.get('from')),
      replyTo: addresses(headers.get('reply-to')),
      to: addresses(headers.get('to')),
      cc: addresses(headers.get('cc')),
      subject: typeof subject === 'string' ? subject : '',
      text,
      html,
      header,
      contentSha256: contentSha256(bytes),
      report:
        isReport && status
          ? { deliveryStatus: status.content, returnedHeaders: (returned?.content ?? '').split(/\r?\n\r?\n/)[0]! }
          : null,
      attachments,
      skippedAttachments,
    };
  }
}
