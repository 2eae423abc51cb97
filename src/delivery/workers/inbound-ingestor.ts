import { processInboundMail } from '../../domain/inbound/process-inbound-mail.ts';
import { receiveMail, receiveMailForProcessing, type ReceivedMail } from '../../domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../domain/inbound/inbound-deps.ts';
import type { InboundMail, RawMail } from '../../domain/inbound/inbound-mail.ts';
import { removeOldInboundRaw } from '../../domain/inbound/retention.ts';

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
  log: {
    info(obj: object, msg: string): void;
    warn(obj: object, msg: string): void;
    error(obj: object, msg: string): void;
  };
  onProcessed?: (mail: InboundMail | undefined) => void;
  /**
   * Bytes of received mail kept in memory between the `250` and processing, so processing need not read the mail
   * back (default 64 MiB). Beyond it a mail is stored as usual and read back when its turn comes.
   */
  handoffBytes?: number;
  /** Days the original of a decided mail is kept; each sweep removes those past it (0 or absent: kept for ever). */
  keepRawDays?: number;
}

/**
 * Inbound mail, received to processed: the receiver stores each mail and acknowledges it, then hands its id here;
 * mails are processed a few at a time. At start-up and every `sweepMs`, mails still `received` (the process stopped
 * between the `250` and the processing, or processing failed) are processed again, so nothing accepted is left behind;
 * the same sweep removes the originals of mail decided longer ago than `keepRawDays`.
 */
export class InboundIngestor {
  private readonly queue: { id: number; received?: ReceivedMail }[] = [];
  /** Mails stored by the receiver and not yet handed over by its `stored` call. */
  private readonly stored = new Map<number, ReceivedMail>();
  /** Bytes of the mails kept in memory (stored, queued or being processed). */
  private handoff = 0;
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
      store: async (mail) => {
        const size = mail.raw.byteLength;
        if (!this.running || this.handoff + size > (this.options.handoffBytes ?? 64 * 1024 * 1024))
          return receiveMail(this.deps, mail);
        this.handoff += size;
        try {
          const received = await receiveMailForProcessing(this.deps, mail);
          this.stored.set(received.mail.id, received);
          return received.mail.id;
        } catch (error) {
          this.handoff -= size;
          throw error;
        }
      },
      stored: (id) => {
        const received = this.stored.get(id);
        this.stored.delete(id);
        if (!this.enqueue(id, received) && received) this.handoff -= received.raw.byteLength;
      },
      onError: (error) =>
        this.options.log.warn(
          { err: error },
          'inbound SMTP: a mail was not stored (answered 451) or a connection failed',
        ),
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

  /** A stored mail to process (with its record and bytes when the receiver handed them over); false if not taken. */
  enqueue(id: number, received?: ReceivedMail): boolean {
    if (!this.running || this.known.has(id)) return false;
    this.known.add(id);
    this.queue.push({ id, received });
    this.pump();
    return true;
  }

  /** Looks for mails still `received` now. */
  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        for (const id of await this.deps.storage.inbound.pendingInboundMail(500)) this.enqueue(id);
        const removed = await removeOldInboundRaw(this.deps, this.options.keepRawDays ?? 0);
        if (removed > 0) this.options.log.info({ removed }, 'inbound: originals past the retention period removed');
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
      const { id, received } = this.queue.shift()!;
      this.active++;
      void this.processOne(id, received).finally(() => {
        this.active--;
        this.known.delete(id);
        if (received) this.handoff -= received.raw.byteLength;
        this.pump();
        if (this.active === 0 && this.queue.length === 0) for (const w of this.idleWaiters.splice(0)) w();
      });
    }
  }

  private async processOne(id: number, received: ReceivedMail | undefined): Promise<void> {
    try {
      const mail = await processInboundMail(this.deps, id, received);
      // A mail left for a person: staff pages update their "needs review" count (a mail of no ticket raises no
      // ticket event).
      if (mail && (mail.status === 'held' || mail.status === 'loop')) {
        await this.deps.storage
          .signalInbound(mail.ticketId)
          .catch((error: unknown) => this.options.log.warn({ err: error }, 'the review signal could not be sent'));
      }
      this.options.onProcessed?.(mail);
    } catch (error) {
      this.options.log.error(
        { err: error, inboundMail: id },
        'inbound mail processing failed; it stays received and is retried by the sweep',
      );
    }
  }

  /** Resolves when nothing is queued or being processed (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    await this.sweeping;
    if (this.active === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops receiving, then lets the mails in hand finish (those queued stay `received` for the next start). Mails
   * handed over at receipt had their first attempt counted as they were stored: those never started give it back,
   * so restarts during a backlog do not wear out `maxAttempts`.
   */
  async stop(): Promise<void> {
    await this.receiver?.stop();
    this.running = false;
    clearInterval(this.timer);
    const unstarted: number[] = [];
    for (const { id, received } of this.queue.splice(0)) {
      if (!received) continue;
      this.handoff -= received.raw.byteLength;
      unstarted.push(id);
    }
    if (unstarted.length > 0) {
      await this.deps.storage.inbound
        .releaseInboundAttempts(unstarted)
        .catch((error: unknown) =>
          this.options.log.warn({ err: error }, 'inbound: attempts of unstarted mail could not be given back'),
        );
    }
    this.known.clear();
    await this.sweeping;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }
}
