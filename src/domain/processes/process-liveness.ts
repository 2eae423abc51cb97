import type { Clock } from '../../ports/clock.ts';
import type { RoleLiveness, Storage } from '../../ports/storage.ts';
import { PROCESS_ROLES, type ProcessRole, type RoleProcess } from './role-process.ts';

/** How often a role process records that it is alive. */
export const HEARTBEAT_SECONDS = 5;
/** A process seen within this long counts as alive (six heartbeats). */
export const ALIVE_WITHIN_SECONDS = 30;
/** Rows not seen for this long (a process that died without saying so) are removed by the others' heartbeats. */
export const PRUNE_AFTER_SECONDS = 3600;
/** The heartbeat age reported when no dispatcher was ever seen (or its row was pruned): far beyond any alert. */
export const NEVER_SEEN_AGE_SECONDS = 1e9;

export interface Liveness {
  /** Per role, the processes seen within `ALIVE_WITHIN_SECONDS`. */
  alive: Record<ProcessRole, number>;
  /** Seconds since the freshest dispatcher heartbeat (a dispatcher inside `parley serve` counts). */
  dispatcherHeartbeatAgeSeconds: number;
}

type Deps = { storage: Pick<Storage, 'processes'>; clock: Clock };

/** Records that these processes (one process's roles) are alive now, and prunes the rows of long-dead ones. */
export async function recordHeartbeat(deps: Deps, processes: readonly RoleProcess[]): Promise<void> {
  const now = deps.clock.now();
  for (const p of processes) await deps.storage.processes.heartbeat(p, now.toISOString());
  await deps.storage.processes.pruneProcesses(new Date(now.getTime() - PRUNE_AFTER_SECONDS * 1000).toISOString());
}

/** A graceful stop: these processes' rows go at once, so they stop counting as alive. */
export async function endProcesses(deps: Pick<Deps, 'storage'>, processes: readonly RoleProcess[]): Promise<void> {
  for (const p of processes) await deps.storage.processes.removeProcess(p.id);
}

/** The liveness of every role, as `/metrics` reports it. */
export async function processLiveness(deps: Deps): Promise<Liveness> {
  const now = deps.clock.now();
  const since = new Date(now.getTime() - ALIVE_WITHIN_SECONDS * 1000).toISOString();
  return summarizeLiveness(await deps.storage.processes.processLiveness(since), now);
}

/** Every role counted (0 when it has no row); the dispatcher's age never negative (a clock ahead of this one). */
export function summarizeLiveness(rows: readonly RoleLiveness[], now: Date): Liveness {
  const alive = Object.fromEntries(PROCESS_ROLES.map((role) => [role, 0])) as Record<ProcessRole, number>;
  for (const r of rows) alive[r.role] = r.alive;
  const dispatcher = rows.find((r) => r.role === 'dispatch');
  const age = dispatcher
    ? Math.max(0, (now.getTime() - new Date(dispatcher.lastSeenAt).getTime()) / 1000)
    : NEVER_SEEN_AGE_SECONDS;
  return { alive, dispatcherHeartbeatAgeSeconds: age };
}
