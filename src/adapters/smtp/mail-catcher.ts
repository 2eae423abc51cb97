import { simpleParser } from 'mailparser';
import { SMTPServer } from 'smtp-server';
import type { CapturedMail, CapturedMails } from '../../ports/captured-mail.ts';

const MAX_SIZE = 10 * 1024 * 1024;

/**
 * A real SMTP server on loopback that keeps what it receives, so a fresh install shows the whole flow without a mail
 * account. Bounded: the newest `capacity` mails, each up to 10 MiB. Off in production unless asked for.
 */
export class MailCatcher implements CapturedMails {
  private readonly mails: CapturedMail[] = [];
  private nextId = 1;
  private server: SMTPServer | undefined;

  constructor(private readonly capacity = 500) {}

  async start(host: string, port: number): Promise<number> {
    const server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      size: MAX_SIZE,
      banner: 'Parley mail catcher',
      logger: false,
      onAuth: (_auth, _session, callback) => callback(null, { user: 'catcher' }),
      onData: (stream, session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', async () => {
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded) return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          const raw = Buffer.concat(chunks);
          try {
            await this.keep(raw, session.envelope);
            callback(null, `Kept as mail ${this.nextId - 1}`);
          } catch (error) {
            callback(error as Error);
          }
        });
      },
    });
    this.server = server;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => resolve());
    });
    server.on('error', () => {}); // a client's broken connection is not the catcher's failure
    return (server.server.address() as { port: number }).port;
  }

  private async keep(raw: Buffer, envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] }) {
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipHtmlToText: false });
    const header = (name: string) => {
      const v = parsed.headers.get(name);
      return v === undefined ? undefined : typeof v === 'string' ? v : ((v as { text?: string }).text ?? JSON.stringify(v));
    };
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
    this.mails.push({
      id: this.nextId++,
      receivedAt: new Date().toISOString(),
      envelope: { from: envelope.mailFrom ? envelope.mailFrom.address : null, to: envelope.rcptTo.map((r) => r.address) },
      messageId: parsed.messageId ?? null,
      from: parsed.from?.text ?? null,
      to: Array.isArray(parsed.to) ? parsed.to.map((t) => t.text).join(', ') : (parsed.to?.text ?? null),
      replyTo: parsed.replyTo?.text ?? header('reply-to') ?? null,
      subject: parsed.subject ?? '',
      text: parsed.text ?? '',
      html: typeof parsed.html === 'string' ? parsed.html : null,
      headers,
      size: raw.length,
      raw: raw.toString('utf8'),
    });
    if (this.mails.length > this.capacity) this.mails.shift();
  }

  list(): CapturedMail[] {
    return [...this.mails].reverse();
  }

  get(id: number): CapturedMail | undefined {
    return this.mails.find((m) => m.id === id);
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
  }
}
