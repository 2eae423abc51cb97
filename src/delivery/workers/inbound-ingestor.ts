import { holdTooLargeMail, type TooLargeMail } from '../../domain/inbound/hold-too-large-mail.ts';
import { processInboundMail } from '../../domain/inbound/process-inbound-mail.ts';
import { receiveMail, receiveMailForProcessing, type ReceivedMail } from '../../domain/inbound/receive-mail.ts';
import type { InboundDeps } from '../../domain/inbound/inbound-deps.ts';
import { inboundLeaseMs, inboundLeaseUntil } from '../../domain/inbound/inbound-lease.ts';
import type { InboundMail, RawMail } from '../../domain/inbound/inbound-mail.ts';
import { removeOldInboundRaw } from '../../domain/inbound/retention.ts';

/** A receiver (the SMTP one, built by the composition root with `receiverHooks()`). */
export interface MailReceiver {
  start(): Promise<number>;
  stop(): Promise<void>;
}

export interface IngestorOptions {
  /**
   * How often mails still `received` that no process holds are looked for (a process died between storing and
   * processing, or during it; a failed attempt): a dead process's mail waits its lease, then at most this long.
   */
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

/** How often the sweep also removes the originals past `keepRawDays` (a write; the sweep itself only reads). */
const RAW_REMOVAL_EVERY_MS = 30_000;
/** How long after a lease's end the look for its mail comes (the lease is compared with `<`). */
const PAST_LEASE_END_MS = 20;
/** A mail whose processing failed is begun again (here or elsewhere) no sooner than this. */
const RETRY_FAILED_AFTER_MS = 30_000;

/**
 * Inbound mail, received to processed: the receiver stores each mail and acknowledges it, then hands its id here;
 * mails are processed a few at a time. A mail this ingestor stores or begins is leased to it (its `token`) and the
 * leases are renewed every third of `leaseSeconds` on a timer of their own, whatever processing is doing, so a live
 * process's mail, however long it takes, is never begun by another. At start-up and every `sweepMs`, mails still
 * `received` that nobody holds (their process died between the `250` and the end of processing, or processing
 * failed) are begun again, so nothing accepted is left behind: a dead process's mail just after its lease ends (a
 * lease ending before the next sweep brings a look of its own). The sweep removes, at most every 30 s, the originals
 * of mail decided longer ago than `keepRawDays`.
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
  /** This ingestor's leases: the token its stored and begun mails carry. */
  private readonly token: string;
  private renewal: NodeJS.Timeout | undefined;
  /** A sweep just after a lease ends, sooner than the next one. */
  private look: NodeJS.Timeout | undefined;
  private renewing: Promise<void> | undefined;
  /** Mails whose processing failed, their lease still to give up (retried at each renewal until written). */
  private readonly failed = new Set<number>();
  private rawRemovedAt = -Infinity;

  constructor(
    private readonly deps: InboundDeps,
    private readonly options: IngestorOptions,
  ) {
    this.token = deps.tokens.random(12);
  }

  /** Options for an SmtpReceiver that stores through this ingestor (the composition root builds the receiver). */
  receiverHooks(): { store(mail: RawMail): Promise<number>; stored(id: number): void; onError(error: unknown): void } {
    return {
      store: async (mail) => {
        const size = mail.raw.byteLength;
        if (!this.running || this.handoff + size > (this.options.handoffBytes ?? 64 * 1024 * 1024))
          return receiveMail(this.deps, mail);
        this.handoff += size;
        try {
          const received = await receiveMailForProcessing(this.deps, mail, this.token);
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
        if (this.enqueue(id, received) || !received) return;
        // Stopped meanwhile: its attempt and lease given back, so any process takes it at once.
        this.handoff -= received.raw.byteLength;
        void this.giveBack([id]);
      },
      onError: (error) =>
        this.options.log.warn(
          { err: error },
          'inbound SMTP: a mail was not stored (answered 451) or a connection failed',
        ),
    };
  }

  /**
   * Records a mail a mailbox reader found over the size limit, held for review with its headers (`holdTooLargeMail`),
   * and refreshes the staff pages' review count. Rejects when it could not be stored: the reader leaves the mail as
   * it is and tries again.
   */
  async holdTooLarge(mail: TooLargeMail): Promise<InboundMail> {
    const held = await holdTooLargeMail(this.deps, mail);
    this.options.log.warn(
      { inboundMail: held.id, status: held.status, size: mail.mail.size, maxBytes: mail.maxBytes },
      'inbound: a mail over the size limit was recorded with its headers only (too-large)',
    );
    if (held.status === 'held') {
      await this.deps.storage
        .signalInbound(held.ticketId)
        .catch((error: unknown) => this.options.log.warn({ err: error }, 'the review signal could not be sent'));
    }
    return held;
  }

  async start(receiver?: MailReceiver): Promise<number | null> {
    this.running = true;
    this.sweep();
    this.timer = setInterval(() => this.sweep(), this.options.sweepMs);
    this.timer.unref();
    const leaseMs = inboundLeaseMs(this.deps.policy);
    this.renewal = setInterval(() => void this.renew(), Math.max(100, leaseMs / 3));
    this.renewal.unref();
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

  /** Looks for mails still `received` that no process holds now (and removes old originals when due). */
  sweep(): Promise<void> {
    if (this.sweeping) return this.sweeping;
    this.sweeping = (async () => {
      try {
        const now = this.deps.clock.now().toISOString();
        for (const id of await this.deps.storage.inbound.pendingInboundMail(now, 500)) this.enqueue(id);
        await this.lookWhenLeaseEnds(now);
        if (Date.now() - this.rawRemovedAt < RAW_REMOVAL_EVERY_MS) return;
        this.rawRemovedAt = Date.now();
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

  /**
   * A lease (another process's, not renewed: it died) that ends before the next sweep brings a look just after it,
   * so its mail is begun as soon as it may be rather than up to `sweepMs` later.
   */
  private async lookWhenLeaseEnds(now: string): Promise<void> {
    const end = await this.deps.storage.inbound.nextInboundLeaseEnd(now);
    if (end === null || !this.running) return;
    const ms = Date.parse(end) - Date.parse(now) + PAST_LEASE_END_MS;
    if (ms >= this.options.sweepMs) return;
    clearTimeout(this.look);
    this.look = setTimeout(() => void this.sweep(), ms);
    this.look.unref();
  }

  /**
   * Renews the leases of the mails in hand (stored, queued or being processed), after giving up those of the mails
   * whose processing failed. Writes nothing when nothing is in hand.
   */
  private renew(): Promise<void> {
    if (this.renewing) return this.renewing;
    if (this.known.size === 0 && this.stored.size === 0 && this.failed.size === 0) return Promise.resolve();
    this.renewing = (async () => {
      const { inbound } = this.deps.storage;
      try {
        for (const id of this.failed) {
          const retryAt = new Date(this.deps.clock.now().getTime() + RETRY_FAILED_AFTER_MS).toISOString();
          await inbound.releaseInboundLease(id, this.token, retryAt);
          this.failed.delete(id);
        }
        await inbound.renewInboundLeases(this.token, inboundLeaseUntil(this.deps));
      } catch (error) {
        this.options.log.warn({ err: error }, 'inbound: leases could not be renewed; retrying at the next renewal');
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** Gives back the attempt counted at receipt, and the lease, of mails never started. */
  private async giveBack(ids: number[]): Promise<void> {
    await this.deps.storage.inbound
      .releaseInboundAttempts(ids, this.token)
      .catch((error: unknown) =>
        this.options.log.warn({ err: error }, 'inbound: attempts of unstarted mail could not be given back'),
      );
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
      const mail = await processInboundMail(this.deps, id, received, this.token);
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
      // Its lease is given up (no longer renewed), so a sweep begins it again in 30 s, here or in another process.
      this.failed.add(id);
      void this.renew();
    }
  }

  /** Resolves when nothing is queued or being processed (tests, benchmarks, shutdown). */
  async idle(): Promise<void> {
    await this.sweeping;
    if (this.active === 0 && this.queue.length === 0) return;
    await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
  }

  /**
   * Stops receiving, then lets the mails in hand finish, their leases renewed meanwhile (those queued stay `received`
   * for whoever sweeps next). Mails handed over at receipt had their first attempt counted as they were stored: those
   * never started give it back, and their lease, so restarts during a backlog do not wear out `maxAttempts` and
   * another process takes them at once.
   */
  async stop(): Promise<void> {
    await this.receiver?.stop();
    this.running = false;
    clearInterval(this.timer);
    clearTimeout(this.look);
    const unstarted: number[] = [];
    for (const { id, received } of this.queue.splice(0)) {
      this.known.delete(id);
      if (!received) continue;
      this.handoff -= received.raw.byteLength;
      unstarted.push(id);
    }
    if (unstarted.length > 0) await this.giveBack(unstarted);
    await this.sweeping;
    if (this.active > 0) await new Promise<void>((resolve) => this.idleWaiters.push(resolve));
    clearInterval(this.renewal);
    await this.renewing;
    if (this.failed.size > 0) await this.renew();
  }
}
