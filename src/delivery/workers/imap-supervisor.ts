import type { Deps } from '../../domain/deps.ts';
import { imapAccount, UnreadableSecret, type ImapAccount } from '../../domain/parameters/parameters.ts';

export interface MailboxReader {
  start(): void;
  stop(): Promise<void>;
}

export interface ImapSupervisorOptions {
  /** How often the IMAP parameters (9010–9015) are read again, so an administrator's change applies without a restart. */
  checkMs: number;
  /** Builds the reader for an account (the composition root gives the imapflow adapter). */
  createReader(account: ImapAccount): MailboxReader;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/**
 * Keeps one IMAP reader running for the support mailbox the parameters describe: started when an account is
 * configured, restarted when it changes, stopped when it is removed. Reading the parameters is cheap (cached on
 * SQLite), so they are simply read again every `checkMs`.
 */
export class ImapSupervisor {
  private current: { key: string; reader: MailboxReader } | undefined;
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

  /** Reads the parameters now (also after an administrator saved them). */
  check(): Promise<void> {
    this.checking = this.checking
      .then(() => this.apply())
      .catch((error) => this.options.log.error({ err: error }, 'IMAP settings could not be read'));
    return this.checking;
  }

  private async apply(): Promise<void> {
    let account: ImapAccount | undefined;
    try {
      account = await imapAccount(this.deps, this.deps.storage);
    } catch (error) {
      // The database may be briefly unreachable: the reader keeps running until the settings can be read again.
      if (!(error instanceof UnreadableSecret)) throw error;
      this.options.log.error(
        { err: error },
        'the stored IMAP password cannot be opened with the current PARLEY_SECRET_KEY; save it again',
      );
      account = undefined;
    }
    const key = account ? JSON.stringify(account) : '';
    if (key === (this.current?.key ?? '')) return;
    if (this.current) await this.current.reader.stop();
    this.current = undefined;
    if (!account) return;
    const reader = this.options.createReader(account);
    this.current = { key, reader };
    reader.start();
    this.options.log.info({ host: account.host, mailbox: account.mailbox }, 'reading the support mailbox over IMAP');
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.checking;
    await this.current?.reader.stop();
    this.current = undefined;
  }
}
