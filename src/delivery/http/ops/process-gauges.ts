import { Gauge, type Registry } from 'prom-client';
import { processLiveness } from '../../../domain/processes/process-liveness.ts';
import { PROCESS_ROLES } from '../../../domain/processes/role-process.ts';
import type { Clock } from '../../../ports/clock.ts';
import type { Storage } from '../../../ports/storage.ts';

/**
 * The liveness of the role processes, read from their heartbeats (migration 010) at each scrape. Names fixed: the
 * alert rules use them. `parley_dispatcher_heartbeat_age_seconds` is 1e9 when no dispatcher was ever seen.
 */
export function registerProcessGauges(registry: Registry, deps: { storage: Pick<Storage, 'processes'>; clock: Clock }) {
  new Gauge({
    name: 'parley_processes_alive',
    help: 'Processes of each role (serve, dispatch, ingest) seen within the last 30 s',
    labelNames: ['role'],
    registers: [registry],
    async collect() {
      const { alive } = await processLiveness(deps);
      for (const role of PROCESS_ROLES) this.set({ role }, alive[role]);
    },
  });
  new Gauge({
    name: 'parley_dispatcher_heartbeat_age_seconds',
    help: 'Seconds since the freshest outbox dispatcher heartbeat (a dispatcher inside serve counts); 1e9: never seen',
    registers: [registry],
    async collect() {
      this.set((await processLiveness(deps)).dispatcherHeartbeatAgeSeconds);
    },
  });
}
