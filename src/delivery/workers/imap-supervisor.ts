import type { Deps } from '../../domain/deps.ts';
import { imapSources } from '../../domain/mailboxes/imap-accounts.ts';
import type { ImapAccount } from '../../domain/parameters/parameters.ts';

export interface MailboxReader {
  start(): void;
  stop(): Promise<void>;
}

export interface ImapSupervisorOptions {
  /**
   * How often the IMAP settings (parameters 9010–9015 and the team mailboxes) are read again, so an administrator's
   * change applies without a restart.
   */
  checkMs: number;
  /** Builds the reader for an account (the composition root gives the imapflow adapter). */
  createReader(account: ImapAccount): MailboxReader;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Keeps one IMAP reader running for each folder Parley reads: the support mailbox the parameters describe and each
 * team mailbox with an inbound folder. A reader is started when its account appears, restarted when it changes and
 * stopped when it goes; the others run on. The settings are simply read again every `checkMs`.
 */
export class ImapSupervisor {
  private readonly readers = new Map<string, { reader: MailboxReader; label: string }>();
  private timer: NodeJS.Timeout | undefined;
  private checking: Promise<void> = Promise.resolve();

  constructor(
    private readonly deps: Pick<Deps, 'storage' | 'secrets'>,
    private readonly options: ImapSupervisorOptions,
  ) {}

  async start(): Promise<void> {
    await this.check();
    this.timer = setInterval(() => void this.check(), this.options.checkMs);
    this.timer.unref();
  }

  /** Reads the settings now (also after an administrator saved them). */
  check(): Promise<void> {
    this.checking = this.checking
      .then(() => this.apply())
      .catch((error) => this.options.log.error({ err: error }, 'IMAP settings could not be read'));
    return this.checking;
  }

  private async apply(): Promise<void> {
    // The database may be briefly unreachable: a failed read throws, and the readers keep running until the next.
    const { sources, unreadable } = await imapSources(this.deps, this.deps.storage);
    for (const what of unreadable)
      this.options.log.error(
        { what },
        'a stored IMAP password cannot be opened with the current PARLEY_SECRET_KEY; save it again',
      );
    const wanted = new Map(sources.map((s) => [JSON.stringify(s), s]));
    for (const [key, { reader }] of this.readers) {
      if (wanted.has(key)) continue;
      await reader.stop();
      this.readers.delete(key);
    }
    for (const [key, { mailboxId, account }] of wanted) {
      if (this.readers.has(key)) continue;
      const reader = this.options.createReader(account);
      const label = mailboxId === null ? 'the support mailbox' : `team mailbox ${mailboxId}`;
      this.readers.set(key, { reader, label });
      reader.start();
      this.options.log.info({ host: account.host, mailbox: account.mailbox, label }, 'reading a mailbox over IMAP');
    }
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await Promise.all([...this.readers.values()].map(({ reader }) => reader.stop()));
    this.readers.clear();
  }
}
