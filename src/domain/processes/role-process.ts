/** The roles a Parley process performs: the HTTP API, the outbox dispatcher, inbound mail. */
export const PROCESS_ROLES = ['serve', 'dispatch', 'ingest'] as const;
export type ProcessRole = (typeof PROCESS_ROLES)[number];

/** A running process in one of its roles (a process performing several roles has a row for each). */
export interface RoleProcess {
  /** Unique per process and role. */
  id: string;
  role: ProcessRole;
  host: string;
  pid: number;
  version: string;
  startedAt: string;
}
