import { mkdirSync, readdirSync, readFileSync, unlinkSync } from 'node:fs';
import { rename, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { SMTPServer } from 'smtp-server';
import type { CapturedMail, CapturedMails } from '../../ports/captured-mail.ts';
import { loadOnce } from '../load-once.ts';

// smtp-server loads when the catcher starts and mailparser at its first mail: a serve with the catcher off loads
// neither.
const smtpServer = loadOnce(() => import('smtp-server'));
const mailparser = loadOnce(() => import('mailparser'));

const MAX_SIZE = 10 * 1024 * 1024;

export interface MailCatcherOptions {
  /**
   * Where each received mail is written (one `<id>.json` file, before the 250), so what was caught survives a
   * restart; without it the mails live in memory only.
   */
  folder?: string;
  /** How many of the newest mails are kept. */
  capacity?: number;
}

/**
 * A real SMTP server on loopback that keeps what it receives, so a fresh install shows the whole flow without a mail
 * account. Bounded: the newest `capacity` mails, each up to 10 MiB. Off in production unless asked for.
 */
export class MailCatcher implements CapturedMails {
  private readonly mails: CapturedMail[] = [];
  private nextId = 1;
  private server: SMTPServer | undefined;
  private starting: Promise<number> | undefined;
  private readonly folder: string | undefined;
  private readonly capacity: number;

  constructor(options: MailCatcherOptions = {}) {
    this.folder = options.folder;
    this.capacity = options.capacity ?? 500;
  }

  /** Reads back what an earlier run kept in the folder (oldest first, the newest `capacity`). */
  private load(folder: string): void {
    mkdirSync(folder, { recursive: true, mode: 0o700 });
    const ids = readdirSync(folder)
      .map((name) => /^(\d+)\.json$/.exec(name)?.[1])
      .filter((id): id is string => id !== undefined)
      .map(Number)
      .sort((a, b) => a - b);
    const loaded: CapturedMail[] = [];
    for (const id of ids) {
      try {
        const mail = JSON.parse(readFileSync(join(folder, `${id}.json`), 'utf8')) as CapturedMail;
        if (mail.id === id) loaded.push(mail);
      } catch {
        // a file that cannot be read back is left alone: it is not a mail this catcher wrote whole
      }
      this.nextId = Math.max(this.nextId, id + 1);
    }
    this.mails.length = 0;
    for (const mail of loaded.slice(-this.capacity)) this.mails.push(mail);
    for (const mail of loaded.slice(0, Math.max(0, loaded.length - this.capacity)))
      unlinkSync(join(folder, `${mail.id}.json`));
  }

  /** Listens; resolves with the port. `stop()` waits for a start under way, so no server is left listening. */
  start(host: string, port: number): Promise<number> {
    if (this.starting) return Promise.reject(new Error('MailCatcher: already started; stop it first.'));
    const started = this.listen(host, port);
    this.starting = started;
    return started;
  }

  private async listen(host: string, port: number): Promise<number> {
    if (this.folder) this.load(this.folder);
    const { SMTPServer } = await smtpServer();
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
          if ((stream as unknown as { sizeExceeded?: boolean }).sizeExceeded)
            return callback(Object.assign(new Error('Message too large'), { responseCode: 552 }));
          const raw = Buffer.concat(chunks);
          try {
            const id = await this.keep(raw, session.envelope);
            callback(null, `Kept as mail ${id}`);
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

  private async keep(
    raw: Buffer,
    envelope: { mailFrom: false | { address: string }; rcptTo: { address: string }[] },
  ): Promise<number> {
    const { simpleParser } = await mailparser();
    const parsed = await simpleParser(raw, { skipImageLinks: true, skipHtmlToText: false });
    const header = (name: string) => {
      const v = parsed.headers.get(name);
      return v === undefined
        ? undefined
        : typeof v === 'string'
          ? v
          : ((v as { text?: string }).text ?? JSON.stringify(v));
    };
    const headers: Record<string, string> = {};
    for (const line of parsed.headerLines) headers[line.key] = line.line.slice(line.line.indexOf(':') + 1).trim();
    const mail: CapturedMail = {
      id: this.nextId++,
      receivedAt: new Date().toISOString(),
      envelope: {
        from: envelope.mailFrom ? envelope.mailFrom.address : null,
        to: envelope.rcptTo.map((r) => r.address),
      },
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
    };
    if (this.folder) {
      // Written whole (a temporary file renamed) before the sender is told the mail was kept.
      const file = join(this.folder, `${mail.id}.json`);
      await writeFile(`${file}.tmp`, JSON.stringify(mail), { mode: 0o600 });
      await rename(`${file}.tmp`, file);
    }
    this.mails.push(mail);
    this.mails.sort((a, b) => a.id - b.id);
    while (this.mails.length > this.capacity) {
      const dropped = this.mails.shift()!;
      if (this.folder) await unlink(join(this.folder, `${dropped.id}.json`)).catch(() => {});
    }
    return mail.id;
  }

  list(): CapturedMail[] {
    return [...this.mails].reverse();
  }

  get(id: number): CapturedMail | undefined {
    return this.mails.find((m) => m.id === id);
  }

  async stop(): Promise<void> {
    await this.starting?.catch(() => {}); // its failure is reported to start's caller
    const server = this.server;
    this.server = undefined;
    if (server) await new Promise<void>((resolve) => server.close(() => resolve()));
    this.starting = undefined;
  }
}
