import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { endProcesses, HEARTBEAT_SECONDS, recordHeartbeat } from '../../domain/processes/process-liveness.ts';
import type { ProcessRole, RoleProcess } from '../../domain/processes/role-process.ts';
import type { Clock } from '../../ports/clock.ts';
import type { Storage } from '../../ports/storage.ts';

export interface HeartbeatOptions {
  version: string;
  everyMs?: number;
  log: { error(obj: object, msg: string): void };
}

/**
 * Says in the database, every few seconds, that this process is alive in each of its roles (a row per role), and
 * removes its rows when it stops gracefully; a process that dies stops beating and soon no longer counts as alive.
 * A heartbeat that fails (database unreachable) is logged and tried again at the next beat.
 */
export class ProcessHeartbeat {
  readonly processes: readonly RoleProcess[];
  private timer: NodeJS.Timeout | undefined;
  private beating: Promise<void> | undefined;

  constructor(
    private readonly deps: { storage: Pick<Storage, 'processes'>; clock: Clock },
    roles: readonly ProcessRole[],
    private readonly options: HeartbeatOptions,
  ) {
    const instance = randomUUID();
    const startedAt = deps.clock.now().toISOString();
    this.processes = roles.map((role) => ({
      id: `${instance}:${role}`,
      role,
      host: hostname(),
      pid: process.pid,
      version: options.version,
      startedAt,
    }));
  }

  /**
   * Beats once at once (awaited), then every `everyMs` until `stop()`. The timer keeps the process running, as a
   * process that beats is one that should: `parley ingest` without an SMTP receiver has nothing else to wait on.
   */
  async start(): Promise<void> {
    if (this.timer) return;
    this.timer = setInterval(() => void this.beat(), this.options.everyMs ?? HEARTBEAT_SECONDS * 1000);
    await this.beat();
  }

  private beat(): Promise<void> {
    this.beating ??= recordHeartbeat(this.deps, this.processes)
      .catch((error: unknown) => this.options.log.error({ err: error }, 'process heartbeat failed; retrying'))
      .finally(() => (this.beating = undefined));
    return this.beating;
  }

  /** No more beats; the rows go, so the roles stop counting at once. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.beating;
    await endProcesses(this.deps, this.processes).catch((error: unknown) =>
      this.options.log.error({ err: error }, 'could not remove this process from the running processes'),
    );
  }
}
