import { processInboundMail, receiveMail, type InboundDeps } from '../../domain/inbound/receive-mail.ts';
import type { InboundMail, RawMail } from '../../domain/inbound/inbound-mail.ts';

/** A receiver (the SMTP one, built by the composition root with `receiverHooks()`). */
export interface MailReceiver {
  start(): Promise<number>;
  stop(): Promise<void>;
}

export interface IngestorOptions {
  /** How often mails still `received` are looked for (a crash between storing and processing, a failed attempt). */
  sweepMs: number;
  /** Mails processed at once. */
  concurrency: number;
  log: { info(obj: object, msg: string): void; warn(obj: object, msg: string): void; error(obj: object, msg: string): void };
  onProcessed?: (mail: InboundMail | undefined) => void;
}

/**
 * Inbound mail, received to processed: the receiver stores each mail and acknowledges it, then hands its id here;
 * mails are processed a few at a time. At start-up and every `sweepMs`, mails still `received` (the process stopped
 * between the `250` and the processing, or processing failed) are processed again, so nothing accepted is left behind.
 */
export class InboundIngestor {
  private readonly queue: number[] = [];
  private readonly known = new Set<number>();
  private active = 0;
  private running = false;
  private timer: NodeJS.Timeout | undefined;
  private sweeping: Promise<void> | undefined;
  private idleWaiters: (() => void)[] = [];
  private receiver: MailReceiver | undefined;

  constructor(
    private readonly deps: InboundDeps,
    private readonly options: IngestorOptions,
  ) {}

  /** Options for an SmtpReceiver that stores through this ingestor (the composition root builds the receiver). */
  receiverHooks(): { store(mail: RawMail): Promise<number>; stored(id: number): void; onError(error: unknown): void } {
    return {
      store: (mail) => receiveMail(this.deps, mail),
      stored: (id) => this.enqueue(id),
      onError: (error) => this.options.log.warn({ err: error }, 'inbound SMTP: a mail was not stored (answered 451) or a connection failed'),
    };
  }

  async start(receiver?: MailReceiver): Promise<number | null> {
    this.running = true;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.options.sweepMs);
    this.timer.unref();
    if (!receiver) return null;
    this.receiver = receiver;
    return receiver.start();
  }

  /** A stored mail to process. */
  enqueue(id: number): void {
    if (!this.running || this.known.has(id)) return;
    this.known.add(id);
    this.queue.push(id);
    this.pump();
  }

  /** Looks for mails still `received` now. */
  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        for (const id of await this.deps.storage.pendingInboundMail(500)) this.enqueue(id);
      } catch (error) {
        this.options.log.error({ err: error }, 'inbound sweep failed; retrying at the next one');
      } finally {
        this.sweeping = undefined;
      }
    })();
    return this.sweeping;
  }

  private pump(): void {
    while (this.active < this.options.concurrency && this.queue.length > 0) {
      const id = this.queue.shift()!;
      this.active++;
      void this.processOne(id).finally(() => {
        this.active--;
        this.known.delete(id);
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async processOne(id: number): Promise<void> {
    try {
      const mail = await processInboundMail(this.deps, id);
      // A mail left for a person: staff pages update their "needs review" count (a mail of no ticket raises no
      // ticket event).
      if (mail && (mail.status === 'held' || mail.status === 'loop')) {
        await this.deps.storage.signalInbound().catch((error: unknown) => this.options.log.warn({ err: error }, 'the review signal could not be sent'));
      }
      this.options.onProcessed?.(mail);
    } catch (error) {
      this.options.log.error({ err: error, inboundMail: id }, 'inbound mail processing failed; it stays received and is retried by the sweep');
    }
  }

  /** Resolves when nothing is queued or being processed (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    await this.sweeping;
    if (this.active === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /** Stops receiving, then lets the mails in hand finish (those queued stay `received` for the next start). */
  async stop(): Promise<void> {
    await this.receiver?.stop();
    this.running = false;
    clearInterval(this.timer);
    this.queue.length = 0;
    this.known.clear();
    await this.sweeping;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
