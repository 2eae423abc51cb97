import { pruneAuditLog } from '../../domain/audit/prune-audit.ts';
import type { Deps } from '../../domain/deps.ts';

export interface AuditPrunerOptions {
  everyMs: number;
  log: { info(obj: object, msg: string): void; error(obj: object, msg: string): void };
}

/** Run by `parley serve`: removes audit entries past their retention (parameter 9017) at start and every `everyMs`. */
export class AuditPruner {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> | undefined;

  constructor(
    private readonly deps: Pick<Deps, 'clock' | 'storage'>,
    private readonly options: AuditPrunerOptions,
  ) {}

  start(): void {
    void this.prune();
    this.timer = setInterval(() => void this.prune(), this.options.everyMs);
  }

  /** One pruning pass (the one in flight, if any). */
  prune(): Promise<void> {
    this.running ??= (async () => {
      try {
        const removed = await pruneAuditLog(this.deps);
        if (removed > 0) this.options.log.info({ removed }, 'audit log: entries past the retention period removed');
      } catch (error) {
        this.options.log.error({ err: error }, 'audit log pruning failed; retrying at the next pass');
      } finally {
        this.running = undefined;
      }
    })();
    return this.running;
  }

  async stop(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }
}
