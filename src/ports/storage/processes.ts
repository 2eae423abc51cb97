import type { ProcessRole, RoleProcess } from '../../domain/processes/role-process.ts';

/** Per role: how many processes were seen since a given time, and when the freshest one was seen. */
export interface RoleLiveness {
  role: ProcessRole;
  alive: number;
  lastSeenAt: string;
}

/** The running role processes and their heartbeats (migration 010). */
export interface ProcessRepository {
  /** This process is alive at `seenAt`: its row is added, or its `seenAt` moved (nothing else changes). */
  heartbeat(process: RoleProcess, seenAt: string): Promise<void>;
  /** Removes a process's row (a graceful stop); absent rows are no error. */
  removeProcess(id: string): Promise<void>;
  /** Removes the rows not seen since `before`; returns how many. */
  pruneProcesses(before: string): Promise<number>;
  /** Every row, oldest start first. */
  listProcesses(): Promise<(RoleProcess & { seenAt: string })[]>;
  /** The roles with a row; `alive` counts those seen at or after `since`. */
  processLiveness(since: string): Promise<RoleLiveness[]>;
}
